"""The orders read model: what each order workflow last recorded, for the API and store queues."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, cast, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import order_events as outbound
from adapters.db.tables import order_events, orders, stores
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import StoreProfile


def _upsert_order() -> Insert:
    statement = insert(orders)
    return statement.on_conflict_do_update(
        index_elements=[orders.c.id],
        set_={
            key: statement.excluded[key]
            for key in ("store_id", "status", "view", "version", "updated_at", "at_risk")
        },
        where=orders.c.version < statement.excluded.version,
    )


# Built once, executed with parameters: building the statement for each record cost more CPU than the
# database spent on it (docs/performance.md). The timeline goes as one batch (executemany).
UPSERT_ORDER = _upsert_order()
INSERT_EVENTS = insert(order_events).on_conflict_do_nothing(
    index_elements=[order_events.c.order_id, order_events.c.seq]
)


async def record(conn: AsyncConnection, view: OrderView) -> None:
    """Store the order as the workflow sees it, with the events the step raised (docs/integration.md);
    an older version arriving late changes nothing."""
    before = await outbound.prior(conn, view)
    values = {
        "id": view.order_id,
        "channel": view.placement.channel,
        "channel_order_id": view.placement.channel_order_id,
        "store_id": view.store_id,
        "status": view.status.value,
        "view": view.model_dump(mode="json"),
        "version": view.version,
        "at_risk": bool(view.stock_at_risk) or view.sla_at_risk,
        "created_at": view.timeline[0].at,
        "updated_at": view.timeline[-1].at,
    }
    await conn.execute(UPSERT_ORDER, values)
    if not before.news:  # a repeat, or a late record: its timeline is in already
        return
    known = len(before.recorded.timeline) if before.recorded else 0
    entries = [
        {
            "order_id": view.order_id,
            "seq": seq,
            "at": entry.at,
            "status": entry.status.value,
            "actor": entry.actor,
            "reason": entry.reason,
        }
        for seq, entry in enumerate(view.timeline)
        if seq >= known
    ]
    if entries:  # the entries since the last record (the row was locked by `prior`)
        await conn.execute(INSERT_EVENTS, entries)
    await outbound.record_step(conn, before.recorded, view)


async def roll_back_to(conn: AsyncConnection, view: OrderView, quiet_since: datetime) -> bool:
    """Put the order back to `view`, the workflow's own state, when the row is AHEAD of it (a higher
    version) and has not changed since `quiet_since`: the database work of a step whose workflow task
    was lost. True when it did; the timeline entries of the lost step go too."""
    changed = await conn.execute(
        update(orders)
        .where(
            orders.c.id == view.order_id,
            orders.c.version > view.version,
            orders.c.updated_at < quiet_since,
        )
        .values(
            status=view.status.value,
            view=view.model_dump(mode="json"),
            version=view.version,
            at_risk=bool(view.stock_at_risk) or view.sla_at_risk,
            updated_at=view.timeline[-1].at,
        )
    )
    if not changed.rowcount:
        return False
    await conn.execute(
        delete(order_events).where(
            order_events.c.order_id == view.order_id, order_events.c.seq >= len(view.timeline)
        )
    )
    return True


@dataclass(frozen=True)
class StepInDoubt:
    order_id: str
    update: str
    request: dict[str, Any]


async def note_doubt(conn: AsyncConnection, order_id: str, update_name: str, request: dict[str, Any]) -> None:
    """A step was asked and its answer lost (Temporal unavailable or too slow): check it later. The
    latest step asked is the one kept."""
    await conn.execute(
        update(orders)
        .where(orders.c.id == order_id)
        .values(
            step_in_doubt_since=func.now(),
            step_in_doubt={"update": update_name, "request": request},
        )
    )


async def in_doubt(conn: AsyncConnection, noted_before: datetime, limit: int = 50) -> list[StepInDoubt]:
    rows = await conn.execute(
        select(orders.c.id, orders.c.step_in_doubt)
        .where(orders.c.step_in_doubt_since < noted_before)
        .order_by(orders.c.step_in_doubt_since)
        .limit(limit)
    )
    return [StepInDoubt(row.id, row.step_in_doubt["update"], row.step_in_doubt["request"]) for row in rows]


async def clear_doubt(conn: AsyncConnection, order_id: str) -> None:
    await conn.execute(
        update(orders).where(orders.c.id == order_id).values(step_in_doubt_since=None, step_in_doubt=None)
    )


async def ahead_of(conn: AsyncConnection, order_id: str, version: int) -> bool:
    """The row records a later version of the order than `version` (the workflow's own)."""
    recorded = await conn.scalar(select(orders.c.version).where(orders.c.id == order_id))
    return recorded is not None and recorded > version


@dataclass(frozen=True)
class OrderRef:
    """Where an order is, without its view: what a step needs to be asked of the right order."""

    order_id: str
    store_id: str
    status: OrderStatus

    @classmethod
    def of(cls, view: OrderView) -> "OrderRef":
        return cls(view.order_id, view.store_id, view.status)


_REF = select(orders.c.store_id, orders.c.status).where(orders.c.id == bindparam("order_id"))


async def get_ref(conn: AsyncConnection, order_id: str) -> OrderRef | None:
    """The order's store and status (its view neither read nor validated: a store step's lookup)."""
    row = (await conn.execute(_REF, {"order_id": order_id})).first()
    return None if row is None else OrderRef(order_id, row.store_id, OrderStatus(row.status))


async def get(conn: AsyncConnection, order_id: str) -> OrderView | None:
    view = await conn.scalar(select(orders.c.view).where(orders.c.id == order_id))
    return None if view is None else OrderView.model_validate(view)


@dataclass(frozen=True)
class QueueKey:
    """Where an order stands in its store's queue: oldest first, the order id between equals."""

    created_at: datetime
    order_id: str


@dataclass(frozen=True)
class QueuePage:
    """A page of a store's queue: the orders' stored views as one JSON array (an OrderView each, for the
    caller to read once into what it answers), and the key to start the next page after, if any."""

    views_json: str
    next_after: QueueKey | None


async def store_queue(
    conn: AsyncConnection,
    store_id: str,
    status: OrderStatus | None,
    *,
    at_risk: bool | None = None,
    after: QueueKey | None = None,
    limit: int = 200,
) -> QueuePage:
    """The store's orders, oldest first: what the associates work through, `limit` at a time from after
    `after` (one index range: migration 0018). The views come as PostgreSQL's text, not decoded here:
    a queue page holds hundreds and each was validated when it was recorded."""
    query = select(orders.c.id, orders.c.created_at, cast(orders.c.view, Text)).where(
        orders.c.store_id == store_id
    )
    if status is not None:
        query = query.where(orders.c.status == status.value)
    if at_risk is not None:
        query = query.where(orders.c.at_risk == at_risk)
    if after is not None:
        query = query.where(
            tuple_(orders.c.created_at, orders.c.id) > tuple_(after.created_at, after.order_id)
        )
    query = query.order_by(orders.c.created_at, orders.c.id).limit(limit + 1)
    rows = (await conn.execute(query)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return QueuePage(
        views_json="[" + ",".join(row[2] for row in rows) + "]",
        next_after=QueueKey(rows[-1].created_at, rows[-1].id) if more else None,
    )


def _store(row) -> StoreProfile:  # type: ignore[no-untyped-def]
    return StoreProfile.model_validate(row, from_attributes=True)


async def get_store(conn: AsyncConnection, store_id: str) -> StoreProfile | None:
    row = (await conn.execute(select(stores).where(stores.c.id == store_id))).first()
    return None if row is None else _store(row)


async def list_stores(conn: AsyncConnection) -> list[StoreProfile]:
    return [_store(row) for row in await conn.execute(select(stores).order_by(stores.c.id))]
