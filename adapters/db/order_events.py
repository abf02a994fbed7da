"""The outbound events' outbox: written in the transaction of the step that raised them, numbered per
order under the order's row lock, and fanned out to the subscriptions that want them."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import event_deliveries, event_subscriptions, orders, outbound_events, returns
from domain.order_event_rules import EventDraft, events_between, order_event, return_draft, with_return
from domain.order_events import ReturnSnapshot
from domain.order_state import OrderView

INSERT_EVENT = (
    insert(outbound_events)
    .on_conflict_do_nothing(index_elements=[outbound_events.c.order_id, outbound_events.c.key])
    .returning(outbound_events.c.id)
)


@dataclass(frozen=True)
class Prior:
    """What the read model held before a step's record: whether the step is news, and the order then."""

    news: bool
    view: OrderView | None


async def prior(conn: AsyncConnection, after: OrderView) -> Prior:
    """The order's row locked until the step commits (its events are numbered under it); a repeat or a
    late record is no news, and its recorded view is not even read."""
    query = select(orders.c.version, orders.c.view).where(orders.c.id == after.order_id).with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        return Prior(news=True, view=None)
    if after.version <= row.version:
        return Prior(news=False, view=None)
    return Prior(news=True, view=OrderView.model_validate(row.view))


async def locked_view(conn: AsyncConnection, order_id: str) -> OrderView | None:
    """The order as last recorded, its row locked until the step commits."""
    view = await conn.scalar(select(orders.c.view).where(orders.c.id == order_id).with_for_update())
    return None if view is None else OrderView.model_validate(view)


async def record_step(conn: AsyncConnection, before: OrderView | None, after: OrderView) -> int:
    """The events the step from `before` (None: the order's first record) to `after` raised; how many
    were new."""
    return await add(conn, after, events_between(before, after))


async def record_return(
    conn: AsyncConnection, order_id: str, return_id: str, number: int, status: str, actor: str, reason: str
) -> int:
    """A return's step as an event of its order (numbered in the order's sequence)."""
    view = await locked_view(conn, order_id)
    if view is None:
        return 0
    draft = return_draft(return_id, status, datetime.now(UTC), actor, reason)
    refund = await _return_refund(conn, return_id) if status == "refunded" else None
    snapshot = ReturnSnapshot(return_id=return_id, number=number, status=status)  # type: ignore[arg-type]
    return await add(conn, view, [with_return(draft, snapshot, refund)])


async def _return_refund(conn: AsyncConnection, return_id: str) -> Decimal | None:
    return await conn.scalar(select(returns.c.refund).where(returns.c.id == return_id))


async def add(conn: AsyncConnection, view: OrderView, drafts: list[EventDraft]) -> int:
    """Number each new draft after the order's last event and queue it for every subscription of the
    order's channel that wants its type; a draft already recorded (same key) is skipped."""
    if not drafts:
        return 0
    last = await conn.scalar(
        select(func.coalesce(func.max(outbound_events.c.sequence), 0)).where(
            outbound_events.c.order_id == view.order_id
        )
    )
    sequence, added = int(last or 0), 0
    for draft in drafts:
        event = order_event(draft, view, sequence + 1)
        row: dict[str, Any] = {
            "id": event.id,
            "order_id": view.order_id,
            "sequence": event.sequence,
            "key": draft.key,
            "type": event.type.value,
            "channel": event.channel,
            "body": event.model_dump(mode="json", by_alias=True),
        }
        if await conn.scalar(INSERT_EVENT, row) is None:
            continue  # recorded by an earlier run of this step
        sequence, added = sequence + 1, added + 1
        await _fan_out(conn, event.id, view.order_id, event.sequence, event.channel, event.type.value)
    return added


async def _fan_out(
    conn: AsyncConnection, event: str, order_id: str, sequence: int, channel: str, type_: str
) -> None:
    wanted = select(event_subscriptions.c.id, literal(event), literal(order_id), literal(sequence)).where(
        event_subscriptions.c.channel == channel,
        or_(
            func.jsonb_array_length(event_subscriptions.c.event_types) == 0,
            event_subscriptions.c.event_types.contains([type_]),
        ),
    )
    columns = ["subscription_id", "event_id", "order_id", "sequence"]
    await conn.execute(insert(event_deliveries).from_select(columns, wanted).on_conflict_do_nothing())
