"""The notification outbox: one row per (order, kind, sequence, channel), so a message goes out once."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.models import CustomerNotification
from oms.db.tables import notifications

PENDING, SENT = "pending", "sent"


class OutboxMessage(BaseModel):
    order_id: str
    kind: str
    sequence: int
    channel: str
    recipient: str
    subject: str
    body: str
    status: str
    provider: str
    created_at: datetime


async def claim(
    conn: AsyncConnection, message: CustomerNotification, channel: str, recipient: str, provider: str
) -> bool:
    """Record the message as pending; False when it is already recorded as sent."""
    await conn.execute(
        insert(notifications)
        .values(
            order_id=message.order_id,
            kind=message.kind.value,
            sequence=message.sequence,
            channel=channel,
            recipient=recipient,
            subject=message.subject,
            body=message.body,
            status=PENDING,
            provider=provider,
        )
        .on_conflict_do_nothing(constraint="one_message_per_event")
    )
    status = await conn.scalar(
        select(notifications.c.status).where(*_key(message, channel)).with_for_update()
    )
    return status != SENT


async def mark_sent(conn: AsyncConnection, message: CustomerNotification, channel: str) -> None:
    await conn.execute(update(notifications).where(*_key(message, channel)).values(status=SENT))


def _key(message: CustomerNotification, channel: str) -> tuple:
    return (
        notifications.c.order_id == message.order_id,
        notifications.c.kind == message.kind.value,
        notifications.c.sequence == message.sequence,
        notifications.c.channel == channel,
    )


async def for_order(conn: AsyncConnection, order_id: str) -> list[OutboxMessage]:
    rows = await conn.execute(
        select(notifications).where(notifications.c.order_id == order_id).order_by(notifications.c.id)
    )
    return [OutboxMessage.model_validate(row, from_attributes=True) for row in rows]
