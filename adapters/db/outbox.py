"""The notification outbox: one row per (order, kind, sequence, channel), so a message goes out once.

Status: pending (recorded) → sending (a send was attempted) → sent | failed; suppressed when the
customer agreed to no messages. A row left in `sending` means an attempt ended between the provider's
answer and our record: the next attempt asks the provider, where it can tell, before sending again.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from pydantic import BaseModel
from sqlalchemy import Update, bindparam, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import notifications
from domain.notifications import CustomerNotification

PENDING, SENDING, SENT, FAILED, SUPPRESSED = "pending", "sending", "sent", "failed", "suppressed"


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
    language: str | None = None
    provider_message_id: str | None = None
    delivery_status: str | None = None
    failure: str | None = None
    sent_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class Claim(BaseModel):
    status: str
    updated_at: datetime
    new: bool = False  # recorded by this claim (as the status it asked for): nothing was tried before


@dataclass(frozen=True)
class Event:
    """What a message is about: to a customer (a notification) or to store staff (a reminder)."""

    order_id: str
    kind: str
    sequence: int

    @classmethod
    def of(cls, message: CustomerNotification) -> "Event":
        return cls(message.order_id, message.kind.value, message.sequence)


# Built once (docs/performance.md): a message is claimed and marked for each channel of each step of
# each order. The key's parameters are named apart from the columns an UPDATE sets.
_KEY = (
    notifications.c.order_id == bindparam("key_order_id"),
    notifications.c.kind == bindparam("key_kind"),
    notifications.c.sequence == bindparam("key_sequence"),
    notifications.c.channel == bindparam("key_channel"),
)
CLAIM_INSERT = (
    insert(notifications)
    .on_conflict_do_nothing(constraint="one_message_per_event")
    .returning(notifications.c.status, notifications.c.updated_at)
)
CLAIM_LOCK = select(notifications.c.status, notifications.c.updated_at).where(*_KEY).with_for_update()


@cache
def _mark_statement(with_provider_id: bool, with_failure: bool, sent: bool) -> Update:
    """The UPDATE `mark` runs, one per combination of what it records."""
    values: dict[str, object] = {"status": bindparam("status"), "updated_at": func.now()}
    if with_provider_id:
        values["provider_message_id"] = bindparam("provider_message_id")
    if with_failure:
        values["failure"] = bindparam("failure")
    if sent:
        values["sent_at"] = func.now()
    return update(notifications).where(*_KEY).values(values)


def _key_parameters(message: Event, channel: str) -> dict[str, object]:
    return {
        "key_order_id": message.order_id,
        "key_kind": message.kind,
        "key_sequence": message.sequence,
        "key_channel": channel,
    }


async def claim_new(
    conn: AsyncConnection,
    message: Event,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    provider: str,
    language: str | None = None,
    *,
    status: str = PENDING,
) -> Claim | None:
    """Record the message as `status` if nothing was recorded for it yet: one statement (it may run on
    its own, `single_statements`). None when an earlier attempt recorded it: see `locked`."""
    values = {
        "order_id": message.order_id,
        "kind": message.kind,
        "sequence": message.sequence,
        "channel": channel,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "status": status,
        "provider": provider,
        "language": language,
    }
    new = (await conn.execute(CLAIM_INSERT, values)).first()
    return None if new is None else Claim(status=new.status, updated_at=new.updated_at, new=True)


async def locked(conn: AsyncConnection, message: Event, channel: str) -> Claim:
    """Where a message already recorded stands, its row locked until the transaction ends."""
    row = (await conn.execute(CLAIM_LOCK, _key_parameters(message, channel))).one()
    return Claim(status=row.status, updated_at=row.updated_at)


async def claim(
    conn: AsyncConnection,
    message: Event,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    provider: str,
    language: str | None = None,
    *,
    status: str = PENDING,
) -> Claim:
    """Record the message (once, as `status`) and lock its row; answers where it stands. A message
    recorded by this very claim is `new` (its row is ours until the transaction ends): one round trip."""
    new = await claim_new(conn, message, channel, recipient, subject, body, provider, language, status=status)
    return new or await locked(conn, message, channel)


async def mark(
    conn: AsyncConnection,
    message: Event,
    channel: str,
    status: str,
    *,
    provider_message_id: str | None = None,
    failure: str | None = None,
) -> None:
    statement = _mark_statement(bool(provider_message_id), bool(failure), status == SENT)
    parameters = {**_key_parameters(message, channel), "status": status}
    if provider_message_id:
        parameters["provider_message_id"] = provider_message_id
    if failure:
        parameters["failure"] = failure
    await conn.execute(statement, parameters)


async def record_delivery(
    conn: AsyncConnection,
    provider_message_id: str,
    status: str,
    failure: str | None,
    *,
    not_over: Collection[str] = (),
) -> int:
    """A provider's delivery report (status callback, event webhook); returns the rows it changed.
    A message whose status is one of `not_over` (a later one: a replayed report) keeps it."""
    values: dict[str, object] = {"delivery_status": status, "updated_at": func.now()}
    if failure:
        values["failure"] = failure
    current = notifications.c.delivery_status
    result = await conn.execute(
        update(notifications)
        .where(notifications.c.provider_message_id == provider_message_id)
        .where(or_(current.is_(None), current.not_in(list(not_over))) if not_over else true())
        .values(**values)
        .returning(notifications.c.id)
    )
    return len(result.all())


async def for_order(conn: AsyncConnection, order_id: str) -> list[OutboxMessage]:
    rows = await conn.execute(
        select(notifications).where(notifications.c.order_id == order_id).order_by(notifications.c.id)
    )
    return [OutboxMessage.model_validate(row, from_attributes=True) for row in rows]


async def record_logged(
    conn: AsyncConnection, message: Event, channel: str, recipient: str, subject: str, body: str
) -> None:
    """A message the embedded notifier delivered by logging it: recorded as sent, once."""
    await conn.execute(
        insert(notifications)
        .values(
            order_id=message.order_id,
            kind=message.kind,
            sequence=message.sequence,
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            status=SENT,
            provider="log",
        )
        .on_conflict_do_nothing(constraint="one_message_per_event")
    )
