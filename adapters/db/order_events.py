"""The outbound events' outbox: written in the transaction of the step that raised them, numbered per
order under the order's row lock, and fanned out to the subscriptions that want them."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import orders, returns
from domain.order_event_rules import (
    EventDraft,
    Recorded,
    events_between,
    order_event,
    return_draft,
    with_return,
)
from domain.order_events import ReturnSnapshot
from domain.order_state import OrderView


@dataclass(frozen=True)
class Prior:
    """What the read model held before a step's record: whether the step is news, and the order then."""

    news: bool
    recorded: Recorded | None


_TOLD_FROM = ("timeline", "refunded", "splits", "previous_stores", "check_in", "pickup_slot")
_PRIOR = (
    select(
        orders.c.version,
        orders.c.store_id,
        *(orders.c.view[name].label(name) for name in _TOLD_FROM),
    )
    .where(orders.c.id == bindparam("order_id"))
    .with_for_update()
)


async def prior(conn: AsyncConnection, after: OrderView) -> Prior:
    """The order's row locked until the step commits (its events are numbered under it), and the parts
    of its last record the events are told from; a repeat or a late record is no news."""
    row = (await conn.execute(_PRIOR, {"order_id": after.order_id})).first()
    if row is None:
        return Prior(news=True, recorded=None)
    if after.version <= row.version:
        return Prior(news=False, recorded=None)
    fields = {key: value for key, value in row._mapping.items() if value is not None}
    return Prior(news=True, recorded=Recorded.model_validate(fields))


async def locked_view(conn: AsyncConnection, order_id: str) -> OrderView | None:
    """The order as last recorded, its row locked until the step commits."""
    view = await conn.scalar(select(orders.c.view).where(orders.c.id == order_id).with_for_update())
    return None if view is None else OrderView.model_validate(view)


async def record_step(conn: AsyncConnection, before: Recorded | None, after: OrderView) -> int:
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


# One statement per event: numbered after the order's last event (under the order's row lock), kept once
# per key, and queued for every subscription of its channel that wants its type.
_ADD_EVENT = text(
    """
    WITH numbered AS (
        SELECT coalesce(max(sequence), 0) + 1 AS sequence FROM outbound_events WHERE order_id = :order_id
    ), added AS (
        INSERT INTO outbound_events (id, order_id, sequence, key, type, channel, body)
        SELECT :id, :order_id, numbered.sequence, :key, :type, :channel,
               CAST(:body AS jsonb) || jsonb_build_object('sequence', numbered.sequence)
        FROM numbered
        ON CONFLICT (order_id, key) DO NOTHING
        RETURNING id, sequence
    ), queued AS (
        INSERT INTO event_deliveries (subscription_id, event_id, order_id, sequence)
        SELECT subscription.id, added.id, :order_id, added.sequence
        FROM added JOIN event_subscriptions AS subscription
          ON subscription.channel = :channel
         AND (jsonb_array_length(subscription.event_types) = 0
              OR subscription.event_types @> CAST(:wanted AS jsonb))
        ON CONFLICT DO NOTHING
    )
    SELECT count(*) FROM added
    """
)


async def add(conn: AsyncConnection, view: OrderView, drafts: list[EventDraft]) -> int:
    """Each draft numbered after the order's last event and queued for the subscriptions that want it;
    a draft already recorded (same key) is skipped. How many were new."""
    added = 0
    for draft in drafts:
        event = order_event(draft, view, 1)  # its sequence is the database's: the next of the order
        values = {
            "id": event.id,
            "order_id": view.order_id,
            "key": draft.key,
            "type": event.type.value,
            "channel": event.channel,
            "body": event.model_dump_json(by_alias=True),
            "wanted": json.dumps([event.type.value]),
        }
        added += int(await conn.scalar(_ADD_EVENT, values) or 0)
    return added
