"""Channel payloads that could not become orders, kept with their reasons until replayed."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import storable
from adapters.db.tables import dead_letters

ERASED = "erased"  # the customer it named was erased: personal fields redacted, never replayed


class DeadLetter(BaseModel):
    id: int
    channel: str
    payload: Any
    reasons: list[dict[str, Any]]
    status: str  # open | replayed | erased
    order_id: str | None
    received_at: datetime
    updated_at: datetime


async def keep(conn: AsyncConnection, channel: str, payload: Any, reasons: list[dict[str, Any]]) -> int:
    statement = insert(dead_letters).values(
        channel=channel, payload=storable(payload), reasons=storable(reasons)
    )
    return int(await conn.scalar(statement.returning(dead_letters.c.id)) or 0)


async def get(conn: AsyncConnection, dead_letter_id: int) -> DeadLetter | None:
    row = (await conn.execute(select(dead_letters).where(dead_letters.c.id == dead_letter_id))).first()
    return None if row is None else DeadLetter.model_validate(row, from_attributes=True)


async def page(
    conn: AsyncConnection,
    *,
    limit: int,
    before: int | None = None,
    status: str | None = None,
    channel: str | None = None,
    reason: str | None = None,
) -> list[DeadLetter]:
    """Newest first; `before` an id (the last one of the previous page); `reason` a text in the reasons."""
    query = select(dead_letters).order_by(dead_letters.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(dead_letters.c.id < before)
    if status is not None:
        query = query.where(dead_letters.c.status == status)
    if channel is not None:
        query = query.where(dead_letters.c.channel == channel)
    if reason:
        query = query.where(cast(dead_letters.c.reasons, Text).icontains(reason, autoescape=True))
    return [DeadLetter.model_validate(row, from_attributes=True) for row in await conn.execute(query)]


async def open_letters(conn: AsyncConnection, limit: int = 10_000) -> list[DeadLetter]:
    """Open letters, oldest first (bounded: a backlog beyond it is a bigger problem than its ranking)."""
    query = select(dead_letters).where(dead_letters.c.status == "open").order_by(dead_letters.c.id)
    return [
        DeadLetter.model_validate(row, from_attributes=True) for row in await conn.execute(query.limit(limit))
    ]


async def settle(
    conn: AsyncConnection, dead_letter_id: int, *, order_id: str | None, reasons: list | None
) -> None:
    """Replayed into an order, or still refused with today's reasons."""
    values: dict[str, Any] = {"updated_at": func.now()}
    if order_id:
        values.update(status="replayed", order_id=order_id)
    if reasons is not None:
        values["reasons"] = storable(reasons)
    await conn.execute(update(dead_letters).where(dead_letters.c.id == dead_letter_id).values(**values))


async def naming(conn: AsyncConnection, email: str) -> list[DeadLetter]:
    """The letters whose payload or reasons carry this email (any case), oldest first."""
    found = select(dead_letters).where(
        cast(dead_letters.c.payload, Text).icontains(email.strip(), autoescape=True)
        | cast(dead_letters.c.reasons, Text).icontains(email.strip(), autoescape=True)
    )
    rows = await conn.execute(found.order_by(dead_letters.c.id))
    return [DeadLetter.model_validate(row, from_attributes=True) for row in rows]


async def erase(conn: AsyncConnection, dead_letter_id: int, payload: Any, reasons: list[Any]) -> None:
    """Keep a letter with its personal data redacted: it can no longer be replayed."""
    await conn.execute(
        update(dead_letters)
        .where(dead_letters.c.id == dead_letter_id)
        .values(payload=storable(payload), reasons=storable(reasons), status=ERASED, updated_at=func.now())
    )
