"""What the KPIs read: orders placed in a period with their timelines and returns (the read model), the
counts and events of the store feed, and the messages of the outbox. Reads only."""

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import inventory_events, notifications, order_events, orders, returns
from domain.kpi_report import History
from domain.kpi_stock import FeedEvent, Message, StockCount
from domain.kpis import OrderHistory, ReturnedUnits
from domain.returns import RETURNABLE, taken_home
from domain.status import OrderStatus
from domain.values import TimelineEntry


async def history(conn: AsyncConnection, start: datetime, end: datetime, store_id: str | None) -> History:
    """Everything that happened in [start, end), at one store or the whole network."""
    return History(
        orders=await order_histories(conn, start, end, store_id),
        counts=await counts(conn, start, end, store_id),
        events=await feed_events(conn, start, end, store_id),
        messages=await messages(conn, start, end, store_id),
    )


async def order_histories(
    conn: AsyncConnection, start: datetime, end: datetime, store_id: str | None
) -> list[OrderHistory]:
    """The orders placed in the period (at the store where they are now), with their timeline rows."""
    query = select(
        orders.c.id,
        orders.c.store_id,
        orders.c.created_at,
        orders.c.view["ready_by"].astext.label("ready_by"),
        orders.c.view["previous_stores"].label("previous_stores"),
        orders.c.status,
        orders.c.view["collected"].label("collected"),
        orders.c.view["lines"].label("lines"),  # JSON null until lines were dropped: then the placement's
        orders.c.view["placement"]["lines"].label("placed"),
    ).where(orders.c.created_at >= start, orders.c.created_at < end)
    if store_id is not None:
        query = query.where(orders.c.store_id == store_id)
    rows = (await conn.execute(query)).all()
    timelines = await _timelines(conn, [row.id for row in rows])
    returned = await _returned(conn, [row.id for row in rows if row.status in RETURNABLE])
    return [
        OrderHistory(
            order_id=row.id,
            store_id=row.store_id,
            first_store_id=(row.previous_stores or [row.store_id])[0],
            placed_at=row.created_at,
            ready_by=datetime.fromisoformat(row.ready_by) if row.ready_by else None,
            timeline=timelines.get(row.id, []),
            taken_home=_taken_home(row),
            returned=returned.get(row.id, []),
        )
        for row in rows
    ]


def _taken_home(row: Any) -> Counter[str]:
    """What the order's customer took home (its lines are JSON null until some were dropped)."""
    return taken_home(OrderStatus(row.status), _units(row.collected), _units(row.lines or row.placed))


def _units(lines: list[dict[str, Any]] | None) -> dict[str, int]:
    return {line["sku"]: int(line["quantity"]) for line in lines or []}


async def _returned(conn: AsyncConnection, order_ids: list[str]) -> dict[str, list[ReturnedUnits]]:
    """What returns brought back of these orders, line by line (a unit per condition given)."""
    returned: dict[str, list[ReturnedUnits]] = defaultdict(list)
    for chunk in range(0, len(order_ids), 1000):
        query = select(returns.c.order_id, returns.c.lines).where(
            returns.c.order_id.in_(order_ids[chunk : chunk + 1000])
        )
        for row in await conn.execute(query):
            returned[row.order_id] += [
                ReturnedUnits(line["sku"], len(line["conditions"]), line["reason"]) for line in row.lines
            ]
    return returned


async def _timelines(conn: AsyncConnection, order_ids: list[str]) -> dict[str, list[TimelineEntry]]:
    timelines: dict[str, list[TimelineEntry]] = defaultdict(list)
    for chunk in range(0, len(order_ids), 1000):
        query = (
            select(order_events)
            .where(order_events.c.order_id.in_(order_ids[chunk : chunk + 1000]))
            # Only the order's own transitions: returns add their steps to its timeline too.
            .where(order_events.c.status.in_([status.value for status in OrderStatus]))
            .order_by(order_events.c.order_id, order_events.c.seq)
        )
        for row in await conn.execute(query):
            timelines[row.order_id].append(
                TimelineEntry(at=row.at, status=OrderStatus(row.status), actor=row.actor, reason=row.reason)
            )
    return timelines


async def counts(
    conn: AsyncConnection, start: datetime, end: datetime, store_id: str | None
) -> list[StockCount]:
    """Counts taken in the period: what was counted, and how far that moved the ledger's on hand."""
    query = select(inventory_events).where(
        inventory_events.c.type == "count",
        inventory_events.c.occurred_at >= start,
        inventory_events.c.occurred_at < end,
    )
    if store_id is not None:
        query = query.where(inventory_events.c.store_id == store_id)
    return [
        StockCount(row.store_id, row.quantity, row.on_hand_delta, row.occurred_at)
        for row in await conn.execute(query)
    ]


async def feed_events(
    conn: AsyncConnection, start: datetime, end: datetime, store_id: str | None
) -> list[FeedEvent]:
    query = select(
        inventory_events.c.store_id, inventory_events.c.occurred_at, inventory_events.c.received_at
    ).where(inventory_events.c.occurred_at >= start, inventory_events.c.occurred_at < end)
    if store_id is not None:
        query = query.where(inventory_events.c.store_id == store_id)
    return [FeedEvent(row.store_id, row.occurred_at, row.received_at) for row in await conn.execute(query)]


async def messages(
    conn: AsyncConnection, start: datetime, end: datetime, store_id: str | None
) -> list[Message]:
    """Customer messages recorded in the period, with the store of their order."""
    query = (
        select(
            orders.c.store_id,
            notifications.c.created_at,
            notifications.c.channel,
            notifications.c.status,
            notifications.c.delivery_status,
        )
        .join(orders, orders.c.id == notifications.c.order_id)
        .where(notifications.c.created_at >= start, notifications.c.created_at < end)
    )
    if store_id is not None:
        query = query.where(orders.c.store_id == store_id)
    return [
        Message(row.store_id, row.created_at, row.channel, row.status, row.delivery_status)
        for row in await conn.execute(query)
    ]
