"""Subscriptions to a channel's events and each event's delivery to them: pending until the receiver said
2xx, retried with waits growing, dead (a dead letter) once given up, pending again when ops replay it."""

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import dead_letters
from adapters.db.event_tables import event_deliveries, event_subscriptions, outbound_events
from adapters.db.tables import dead_letters as dead_letter_rows

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
LETTER_CHANNEL_PREFIX = "events:"  # dead letters of a subscription: channel "events:<subscription id>"


class Subscription(BaseModel):
    id: str
    channel: str
    url: str
    secret: str
    event_types: list[str]
    created_at: datetime


class Delivery(BaseModel):
    """The oldest event of an order not yet delivered to a subscription."""

    event_id: str
    order_id: str
    sequence: int
    status: str
    attempts: int
    next_attempt_at: datetime
    first_failed_at: datetime | None
    body: dict[str, Any]


async def add_subscription(
    conn: AsyncConnection, subscription_id: str, channel: str, url: str, secret: str, event_types: list[str]
) -> Subscription:
    row = await conn.execute(
        insert(event_subscriptions)
        .values(id=subscription_id, channel=channel, url=url, secret=secret, event_types=event_types)
        .returning(*event_subscriptions.c)
    )
    return Subscription.model_validate(row.one(), from_attributes=True)


async def subscription(conn: AsyncConnection, subscription_id: str) -> Subscription | None:
    row = (
        await conn.execute(select(event_subscriptions).where(event_subscriptions.c.id == subscription_id))
    ).first()
    return None if row is None else Subscription.model_validate(row, from_attributes=True)


async def subscriptions(conn: AsyncConnection, channel: str | None = None) -> list[Subscription]:
    query = select(event_subscriptions).order_by(event_subscriptions.c.created_at, event_subscriptions.c.id)
    if channel is not None:
        query = query.where(event_subscriptions.c.channel == channel)
    return [Subscription.model_validate(row, from_attributes=True) for row in await conn.execute(query)]


async def remove_subscription(conn: AsyncConnection, subscription_id: str) -> bool:
    """The subscription and its deliveries still open (its delivery workflow ends on its next pass)."""
    deleted = await conn.execute(
        delete(event_subscriptions).where(event_subscriptions.c.id == subscription_id)
    )
    return bool(deleted.rowcount)


async def claim_pump(
    conn: AsyncConnection, subscription_id: str, owner: str, lease: timedelta
) -> bool | None:
    """Take (or renew) the subscription's pump lease: True when `owner` holds it now, False when another
    pump does, None when the subscription is gone."""
    row = event_subscriptions.c
    taken = await conn.execute(
        update(event_subscriptions)
        .where(
            row.id == subscription_id,
            or_(row.pump_lease_until.is_(None), row.pump_lease_until < func.now(), row.pump_owner == owner),
        )
        .values(pump_owner=owner, pump_lease_until=func.now() + lease)
        .returning(row.id)
    )
    if taken.first() is not None:
        return True
    return False if await conn.scalar(select(row.id).where(row.id == subscription_id)) else None


async def release_pump(conn: AsyncConnection, subscription_id: str, owner: str) -> None:
    row = event_subscriptions.c
    await conn.execute(
        update(event_subscriptions)
        .where(row.id == subscription_id, row.pump_owner == owner)
        .values(pump_owner=None, pump_lease_until=None)
    )


def _open(subscription_id: str) -> Any:
    return (event_deliveries.c.subscription_id == subscription_id) & (event_deliveries.c.status != DELIVERED)


async def due_orders(conn: AsyncConnection, subscription_id: str, now: datetime, limit: int) -> list[str]:
    """Orders whose oldest undelivered event is due now (a dead one blocks its order: order per order)."""
    earlier = event_deliveries.alias("earlier")
    before_it = (
        select(earlier.c.sequence)
        .where(
            earlier.c.subscription_id == subscription_id,
            earlier.c.order_id == event_deliveries.c.order_id,
            earlier.c.status != DELIVERED,
            earlier.c.sequence < event_deliveries.c.sequence,
        )
        .exists()
    )
    query = (
        select(event_deliveries.c.order_id)
        .where(
            _open(subscription_id),
            event_deliveries.c.status == PENDING,
            event_deliveries.c.next_attempt_at <= now,
            ~before_it,
        )
        .order_by(event_deliveries.c.next_attempt_at)
        .limit(limit)
    )
    return list(await conn.scalars(query))


async def next_due(conn: AsyncConnection, subscription_id: str) -> datetime | None:
    """When the next retry of the subscription is due (None: nothing pending)."""
    return await conn.scalar(
        select(func.min(event_deliveries.c.next_attempt_at)).where(
            _open(subscription_id), event_deliveries.c.status == PENDING
        )
    )


async def head(conn: AsyncConnection, subscription_id: str, order_id: str) -> Delivery | None:
    """The order's oldest event not delivered to the subscription."""
    query = (
        select(
            event_deliveries.c.event_id,
            event_deliveries.c.order_id,
            event_deliveries.c.sequence,
            event_deliveries.c.status,
            event_deliveries.c.attempts,
            event_deliveries.c.next_attempt_at,
            event_deliveries.c.first_failed_at,
            outbound_events.c.body,
        )
        .join(outbound_events, outbound_events.c.id == event_deliveries.c.event_id)
        .where(_open(subscription_id), event_deliveries.c.order_id == order_id)
        .order_by(event_deliveries.c.sequence)
        .limit(1)
    )
    row = (await conn.execute(query)).first()
    return None if row is None else Delivery.model_validate(row, from_attributes=True)


def _key(subscription_id: str, event_id: str) -> Any:
    return (event_deliveries.c.subscription_id == subscription_id) & (event_deliveries.c.event_id == event_id)


async def delivered(conn: AsyncConnection, subscription_id: str, event_id: str) -> None:
    await conn.execute(
        update(event_deliveries)
        .where(_key(subscription_id, event_id))
        .values(status=DELIVERED, delivered_at=func.now(), attempts=event_deliveries.c.attempts + 1)
    )


async def failed(
    conn: AsyncConnection,
    subscription_id: str,
    delivery: Delivery,
    error: str,
    retry_at: datetime,
    now: datetime,
) -> None:
    await conn.execute(
        update(event_deliveries)
        .where(_key(subscription_id, delivery.event_id))
        .values(
            attempts=delivery.attempts + 1,
            next_attempt_at=retry_at,
            first_failed_at=delivery.first_failed_at or now,
            last_error=error[:1000],
        )
    )


async def dead(conn: AsyncConnection, subscription_id: str, delivery: Delivery, error: str) -> int:
    """Given up: kept as a dead letter (the event as sent, why it failed); the order's later events wait."""
    reasons = [
        {
            "loc": ["delivery"],
            "msg": f"receiver did not accept the event: {error[:500]}",
            "type": "event_delivery_failed",
            "attempts": delivery.attempts + 1,
        }
    ]
    letter = await dead_letters.keep(conn, LETTER_CHANNEL_PREFIX + subscription_id, delivery.body, reasons)
    await conn.execute(
        update(event_deliveries)
        .where(_key(subscription_id, delivery.event_id))
        .values(status=DEAD, dead_letter_id=letter, attempts=delivery.attempts + 1, last_error=error[:1000])
    )
    await conn.execute(
        update(dead_letter_rows).where(dead_letter_rows.c.id == letter).values(order_id=delivery.order_id)
    )
    return letter


async def requeue(conn: AsyncConnection, dead_letter_id: int) -> str | None:
    """Ops replay a dead delivery: pending again, due now, its retry window started afresh; the letter
    marked replayed. The order id, or None when the letter is no dead delivery (or was replayed)."""
    revived = await conn.execute(
        update(event_deliveries)
        .where(event_deliveries.c.dead_letter_id == dead_letter_id, event_deliveries.c.status == DEAD)
        .values(status=PENDING, next_attempt_at=func.now(), first_failed_at=None, attempts=0)
        .returning(event_deliveries.c.order_id)
    )
    order_id = revived.scalar()
    if order_id is not None:
        await dead_letters.settle(conn, dead_letter_id, order_id=order_id, reasons=None)
    return order_id
