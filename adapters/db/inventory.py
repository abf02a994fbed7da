"""The store stock feed's tables: events from POS and ERP applied once each, rejected events kept, the
reservations a shortfall flags, replenishment alerts. What they mean is decided in services/stock_review.py.

The rule for counts is in domain.stock.on_hand_change: a count is absolute as of when it was taken.
"""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, bindparam, desc, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import stock, storable
from adapters.db.tables import (
    inventory_event_rejections,
    inventory_events,
    replenishment_alerts,
    reservations,
    stock_levels,
    stock_movements,
)
from domain.stock import InventoryEvent, Movement, MovementKind, StockLevel, check_on_hand, on_hand_change

_KIND = {
    "sale": MovementKind.SALE,
    "return": MovementKind.RETURN,
    "receipt": MovementKind.RECEIPT,
    "adjustment": MovementKind.ADJUSTMENT,
    "count": MovementKind.COUNT,
}


class EventResult(BaseModel):
    event_id: str
    status: str  # applied | repeat | superseded (a count older than one already applied: nothing moved)
    on_hand_delta: int
    superseded_by: datetime | None = None  # when the later count that stands was taken


class Rejection(BaseModel):
    index: int
    event_id: str | None
    reasons: list[str]


class Alert(BaseModel):
    id: int
    store_id: str
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int
    raised_at: datetime
    cleared_at: datetime | None


async def apply_event(conn: AsyncConnection, event: InventoryEvent, *, counts_until: datetime) -> EventResult:
    """Apply one event; an event id seen before is a no-op. Only counts taken up to `counts_until` can
    supersede a count (one recorded further ahead, before the feed window existed, is ignored).
    Raises EventRefused when the row could not hold the result."""
    seen = await conn.scalar(
        select(inventory_events.c.on_hand_delta).where(inventory_events.c.event_id == event.event_id)
    )
    if seen is not None:
        return EventResult(event_id=event.event_id, status="repeat", on_hand_delta=seen)
    levels = await stock.lock_levels(conn, event.store_id, [event.sku])
    on_hand = levels[event.sku].on_hand if event.sku in levels else 0
    moved_since, later_count = 0, None
    if event.type == "count":
        moved_since, later_count = await _since(conn, event, counts_until)
    delta = on_hand_change(event, on_hand, moved_since, later_count is not None)
    check_on_hand(on_hand, delta)
    await conn.execute(
        insert(inventory_events).values(
            event_id=event.event_id,
            store_id=event.store_id,
            sku=event.sku,
            type=event.type,
            quantity=event.quantity,
            occurred_at=event.occurred_at,
            on_hand_delta=delta,
        )
    )
    reason = event.reason or event.type
    if later_count:
        reason = f"{reason} (superseded by a later count)"
    await stock.record(
        conn,
        [
            Movement(
                store_id=event.store_id,
                sku=event.sku,
                kind=_KIND[event.type],
                on_hand_delta=delta,
                reason=reason,
                source="store feed",
                key=f"event:{event.event_id}",
                occurred_at=event.occurred_at,
            )
        ],
    )
    if later_count:
        return EventResult(
            event_id=event.event_id, status="superseded", on_hand_delta=0, superseded_by=later_count
        )
    return EventResult(event_id=event.event_id, status="applied", on_hand_delta=delta)


async def _since(
    conn: AsyncConnection, event: InventoryEvent, counts_until: datetime
) -> tuple[int, datetime | None]:
    """Shelf movements after a count was taken, and when the latest later count was taken, if any."""
    after = (
        stock_movements.c.store_id == event.store_id,
        stock_movements.c.sku == event.sku,
        stock_movements.c.occurred_at > event.occurred_at,
    )
    later_count = await conn.scalar(
        select(func.max(stock_movements.c.occurred_at)).where(
            *after,
            stock_movements.c.kind == MovementKind.COUNT.value,
            stock_movements.c.occurred_at <= counts_until,
        )
    )
    moved = await conn.scalar(
        select(func.coalesce(func.sum(stock_movements.c.on_hand_delta), 0)).where(
            *after, stock_movements.c.kind != MovementKind.COUNT.value
        )
    )
    return int(moved or 0), later_count


async def reject(conn: AsyncConnection, payload: object, event_id: str | None, reasons: list[str]) -> None:
    """Keep an invalid event for inspection: nothing the store sent is lost."""
    await conn.execute(
        insert(inventory_event_rejections).values(
            event_id=storable(event_id), payload=storable(payload), reasons=storable(reasons)
        )
    )


class HeldUnits(BaseModel):
    """An active reservation on one row: who holds how many units, and whether it is flagged at risk."""

    holder_id: str
    quantity: int
    at_risk: bool


async def active_reservations(conn: AsyncConnection, store_id: str, sku: str) -> list[HeldUnits]:
    """The row's active reservations, newest first."""
    rows = await conn.execute(
        select(reservations.c.order_id, reservations.c.quantity, reservations.c.at_risk)
        .where(
            reservations.c.store_id == store_id,
            reservations.c.sku == sku,
            reservations.c.state == "active",
        )
        .order_by(desc(reservations.c.created_at), desc(reservations.c.order_id))
    )
    return [HeldUnits(holder_id=row.order_id, quantity=row.quantity, at_risk=row.at_risk) for row in rows]


async def flag_at_risk(conn: AsyncConnection, sku: str, holder_ids: list[str]) -> None:
    if holder_ids:
        await conn.execute(
            update(reservations)
            .where(reservations.c.sku == sku, reservations.c.order_id.in_(holder_ids))
            .values(at_risk=True)
        )


def _open(store_id: str, sku: str) -> ColumnElement[bool]:
    return and_(
        replenishment_alerts.c.store_id == store_id,
        replenishment_alerts.c.sku == sku,
        replenishment_alerts.c.cleared_at.is_(None),
    )


_LOCK_FOR_REVIEW = (
    select(
        stock_levels,
        exists()
        .where(
            replenishment_alerts.c.store_id == stock_levels.c.store_id,
            replenishment_alerts.c.sku == stock_levels.c.sku,
            replenishment_alerts.c.cleared_at.is_(None),
        )
        .label("alert_open"),
    )
    .where(stock_levels.c.store_id == bindparam("store_id"), stock_levels.c.sku == bindparam("sku"))
    .with_for_update(of=stock_levels)
)


async def lock_for_review(conn: AsyncConnection, store_id: str, sku: str) -> tuple[StockLevel, bool] | None:
    """Lock the row and return its level, and whether a replenishment alert is open for it (alerts open
    and clear under this lock only): a review clears nothing when none is. None: no such row."""
    row = (await conn.execute(_LOCK_FOR_REVIEW, {"store_id": store_id, "sku": sku})).first()
    if row is None:
        return None
    return stock.level_of(row), bool(row.alert_open)


async def clear_alert(conn: AsyncConnection, store_id: str, sku: str) -> None:
    await conn.execute(update(replenishment_alerts).where(_open(store_id, sku)).values(cleared_at=func.now()))


async def open_alert(conn: AsyncConnection, level: StockLevel) -> Alert | None:
    """Open an alert for the row; None when one is open already (at most one open alert per row)."""
    row = (
        await conn.execute(
            insert(replenishment_alerts)
            .values(
                store_id=level.store_id,
                sku=level.sku,
                on_hand=level.on_hand,
                reserved=level.reserved,
                safety_stock=level.safety_stock,
            )
            .on_conflict_do_nothing(
                index_elements=[replenishment_alerts.c.store_id, replenishment_alerts.c.sku],
                index_where=replenishment_alerts.c.cleared_at.is_(None),
            )
            .returning(*replenishment_alerts.c)
        )
    ).first()
    return None if row is None else Alert.model_validate(row, from_attributes=True)


async def alerts(conn: AsyncConnection, store_id: str | None, *, open_only: bool = True) -> list[Alert]:
    query = select(replenishment_alerts).order_by(replenishment_alerts.c.raised_at.desc())
    if store_id:
        query = query.where(replenishment_alerts.c.store_id == store_id)
    if open_only:
        query = query.where(replenishment_alerts.c.cleared_at.is_(None))
    return [Alert.model_validate(row, from_attributes=True) for row in await conn.execute(query)]


async def rejections(conn: AsyncConnection, limit: int = 100) -> list[dict]:
    rows = await conn.execute(
        select(inventory_event_rejections).order_by(inventory_event_rejections.c.id.desc()).limit(limit)
    )
    return [dict(row._mapping) for row in rows]
