"""The store stock feed: events from POS and ERP applied once each, their effects reviewed.

The rule for counts is in domain.stock.on_hand_change: a count is absolute as of when it was taken.
"""

import logging
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import desc, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import stock, storable
from adapters.db.tables import (
    inventory_event_rejections,
    inventory_events,
    notifications,
    replenishment_alerts,
    reservations,
    stock_movements,
    stores,
)
from adapters.messaging.render import default_renderer
from domain.stock import InventoryEvent, Movement, MovementKind, StockLevel, holders_at_risk, on_hand_change
from domain.values import StockAtRisk

log = logging.getLogger("oms.notifications")

_KIND = {
    "sale": MovementKind.SALE,
    "return": MovementKind.RETURN,
    "receipt": MovementKind.RECEIPT,
    "adjustment": MovementKind.ADJUSTMENT,
    "count": MovementKind.COUNT,
}


class EventResult(BaseModel):
    event_id: str
    status: str  # applied | repeat
    on_hand_delta: int


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


class RowReview(BaseModel):
    """What a row's new level means: orders newly at risk, a replenishment alert raised."""

    level: StockLevel
    at_risk: list[tuple[str, StockAtRisk]] = []
    alert: Alert | None = None


async def apply_event(conn: AsyncConnection, event: InventoryEvent) -> EventResult:
    """Apply one event; an event id seen before is a no-op."""
    seen = await conn.scalar(
        select(inventory_events.c.on_hand_delta).where(inventory_events.c.event_id == event.event_id)
    )
    if seen is not None:
        return EventResult(event_id=event.event_id, status="repeat", on_hand_delta=seen)
    levels = await stock.lock_levels(conn, event.store_id, [event.sku])
    on_hand = levels[event.sku].on_hand if event.sku in levels else 0
    moved_since, later_count = 0, False
    if event.type == "count":
        moved_since, later_count = await _since(conn, event)
    delta = on_hand_change(event, on_hand, moved_since, later_count)
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
    return EventResult(event_id=event.event_id, status="applied", on_hand_delta=delta)


async def _since(conn: AsyncConnection, event: InventoryEvent) -> tuple[int, bool]:
    """Shelf movements after a count was taken, and whether a later count was already applied."""
    after = (
        stock_movements.c.store_id == event.store_id,
        stock_movements.c.sku == event.sku,
        stock_movements.c.occurred_at > event.occurred_at,
    )
    later_count = await conn.scalar(
        select(func.count()).where(*after, stock_movements.c.kind == MovementKind.COUNT.value)
    )
    moved = await conn.scalar(
        select(func.coalesce(func.sum(stock_movements.c.on_hand_delta), 0)).where(
            *after, stock_movements.c.kind != MovementKind.COUNT.value
        )
    )
    return int(moved or 0), bool(later_count)


async def reject(conn: AsyncConnection, payload: object, event_id: str | None, reasons: list[str]) -> None:
    """Keep an invalid event for inspection: nothing the store sent is lost."""
    await conn.execute(
        insert(inventory_event_rejections).values(
            event_id=storable(event_id), payload=storable(payload), reasons=storable(reasons)
        )
    )


async def review(conn: AsyncConnection, store_id: str, sku: str, at: datetime) -> RowReview:
    """Mark the reservations a shortfall hits (newest first) and raise or clear the replenishment alert."""
    levels = await stock.lock_levels(conn, store_id, [sku])
    if sku not in levels:
        return RowReview(level=StockLevel(store_id=store_id, sku=sku, on_hand=0, reserved=0))
    level = levels[sku]
    result = RowReview(level=level)
    if level.short_by:
        active = (
            await conn.execute(
                select(reservations.c.order_id, reservations.c.quantity, reservations.c.at_risk)
                .where(
                    reservations.c.store_id == store_id,
                    reservations.c.sku == sku,
                    reservations.c.state == "active",
                )
                .order_by(desc(reservations.c.created_at), desc(reservations.c.order_id))
            )
        ).all()
        flagged = {row.order_id for row in active if row.at_risk}
        hit = holders_at_risk(level.short_by, [(row.order_id, row.quantity) for row in active])
        newly = [holder for holder in hit if holder not in flagged]
        if newly:
            await conn.execute(
                update(reservations)
                .where(reservations.c.sku == sku, reservations.c.order_id.in_(newly))
                .values(at_risk=True)
            )
        result.at_risk = [
            (holder, StockAtRisk(store_id=store_id, sku=sku, short_by=level.short_by, detected_at=at))
            for holder in newly
        ]
    result.alert = await _replenishment(conn, level)
    return result


async def _replenishment(conn: AsyncConnection, level: StockLevel) -> Alert | None:
    """Raise an alert when free stock reaches the safety stock (once per crossing); clear it above."""
    open_alert = (replenishment_alerts.c.store_id == level.store_id) & (
        replenishment_alerts.c.sku == level.sku
    )
    open_alert &= replenishment_alerts.c.cleared_at.is_(None)
    if not level.needs_replenishment:
        await conn.execute(update(replenishment_alerts).where(open_alert).values(cleared_at=func.now()))
        return None
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
    if row is None:
        return None
    alert = Alert.model_validate(row, from_attributes=True)
    await _tell_store(conn, alert)
    return alert


async def _tell_store(conn: AsyncConnection, alert: Alert) -> None:
    """The store hears of it through the notification outbox (the embedded notifier: outbox and log)."""
    email = await conn.scalar(select(stores.c.email).where(stores.c.id == alert.store_id))
    if not email:
        log.warning("store %s has no email; alert %d is shown in the API only", alert.store_id, alert.id)
        return
    email_to_store = default_renderer().replenishment_alert(
        alert.sku, on_hand=alert.on_hand, reserved=alert.reserved, safety_stock=alert.safety_stock
    )
    await conn.execute(
        insert(notifications)
        .values(
            order_id=f"store-{alert.store_id}",
            kind="replenishment_alert",
            sequence=alert.id,
            channel="email",
            recipient=email,
            subject=email_to_store.subject,
            body=email_to_store.body,
            status="sent",
            provider="log",
        )
        .on_conflict_do_nothing(constraint="one_message_per_event")
    )
    log.info("email to %s [replenishment_alert #%d]: %s below safety stock", email, alert.id, alert.sku)


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
