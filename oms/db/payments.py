"""The payments ledger: an authorisation at reservation, then exactly one capture or one void."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.models import PaymentRequest
from oms.db.tables import payment_entries

AUTHORIZATION, CAPTURE, VOID = "authorization", "capture", "void"


class PaymentConflict(Exception):
    """A capture after a void, or a void after a capture: money must not move both ways."""


@dataclass(frozen=True)
class PaymentEntry:
    kind: str
    amount: Decimal
    currency: str


async def _entries(conn: AsyncConnection, order_id: str, *, lock: bool = False) -> dict[str, PaymentEntry]:
    query = (
        select(payment_entries).where(payment_entries.c.order_id == order_id).order_by(payment_entries.c.id)
    )
    if lock:
        query = query.with_for_update()
    rows = await conn.execute(query)
    return {row.kind: PaymentEntry(row.kind, row.amount, row.currency) for row in rows}


async def _append(conn: AsyncConnection, request: PaymentRequest, kind: str) -> bool:
    result = await conn.execute(
        insert(payment_entries)
        .values(
            order_id=request.order_id,
            kind=kind,
            amount=request.amount,
            currency=request.currency,
            idempotency_key=f"{request.order_id}:{kind}",
        )
        .on_conflict_do_nothing(index_elements=[payment_entries.c.idempotency_key])
        .returning(payment_entries.c.id)
    )
    return result.first() is not None


async def authorize(conn: AsyncConnection, request: PaymentRequest) -> bool:
    """Hold the order's amount; True when this call recorded it, False when it already was."""
    return await _append(conn, request, AUTHORIZATION)


async def capture(conn: AsyncConnection, request: PaymentRequest) -> bool:
    """Take the money at collection; refused after a void."""
    entries = await _entries(conn, request.order_id, lock=True)
    if VOID in entries:
        raise PaymentConflict(f"{request.order_id}: payment was voided, it cannot be captured")
    return await _append(conn, request, CAPTURE)


async def void(conn: AsyncConnection, request: PaymentRequest) -> bool:
    """Release the hold when the order will not be collected; nothing to void without a hold."""
    entries = await _entries(conn, request.order_id, lock=True)
    if CAPTURE in entries:
        raise PaymentConflict(f"{request.order_id}: payment was captured, it needs a refund, not a void")
    if AUTHORIZATION not in entries:
        return False
    return await _append(conn, request, VOID)


async def ledger(conn: AsyncConnection, order_id: str) -> list[PaymentEntry]:
    return list((await _entries(conn, order_id)).values())
