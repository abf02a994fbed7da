"""The payments ledger: an authorisation at reservation, then exactly one capture or one void."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import payment_entries
from workflows.contracts import PaymentRequest, Refund

AUTHORIZATION, CAPTURE, VOID, REFUND = "authorization", "capture", "void", "refund"


class PaymentConflict(Exception):
    """A capture after a void, or a void after a capture: money must not move both ways."""


class PaymentUnrecordable(Exception):
    """An entry the ledger cannot hold (an amount beyond its NUMERIC(12, 2) column, a currency code too
    long): refused the same way every time."""


@dataclass(frozen=True)
class PaymentEntry:
    kind: str
    amount: Decimal
    currency: str


# Built once (docs/performance.md): every order step that moves money runs these.
_ENTRIES = (
    select(payment_entries)
    .where(payment_entries.c.order_id == bindparam("order_id"))
    .order_by(payment_entries.c.id)
)
_LOCKED_ENTRIES = _ENTRIES.with_for_update()
_APPEND = (
    insert(payment_entries)
    .on_conflict_do_nothing(index_elements=[payment_entries.c.idempotency_key])
    .returning(payment_entries.c.id)
)


async def _all_entries(conn: AsyncConnection, order_id: str, *, lock: bool = False) -> list[PaymentEntry]:
    if lock:
        # Wait for whoever writes this order's ledger, then read afresh: in READ COMMITTED a statement that
        # waited on a row lock does not see the rows the writer it waited for inserted (a refund).
        await conn.execute(_LOCKED_ENTRIES, {"order_id": order_id})
    rows = await conn.execute(_ENTRIES, {"order_id": order_id})
    return [PaymentEntry(row.kind, row.amount, row.currency) for row in rows]


async def _entries(conn: AsyncConnection, order_id: str, *, lock: bool = False) -> dict[str, PaymentEntry]:
    return {entry.kind: entry for entry in await _all_entries(conn, order_id, lock=lock)}


async def _append(
    conn: AsyncConnection,
    request: PaymentRequest,
    kind: str,
    *,
    key: str | None = None,
    reason: str | None = None,
) -> bool:
    values = {
        "order_id": request.order_id,
        "kind": kind,
        "amount": request.amount,
        "currency": request.currency,
        "idempotency_key": key or f"{request.order_id}:{kind}",
        "reason": reason,
    }
    try:
        result = await conn.execute(_APPEND, values)
    except (DataError, IntegrityError) as error:
        message = f"{request.order_id}: the payments ledger cannot record {request.amount} {request.currency}"
        raise PaymentUnrecordable(message, str(error.orig)) from error
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


async def refund(conn: AsyncConnection, refund: Refund) -> bool:
    """Give money back for lines the customer will not get: against the authorisation before capture
    (that part of the hold is released), against the capture after. One refund per key, ever, and never
    more than was authorised."""
    key = f"{refund.order_id}:refund:{refund.key}"
    entries = await _all_entries(conn, refund.order_id, lock=True)
    if await conn.scalar(select(payment_entries.c.id).where(payment_entries.c.idempotency_key == key)):
        return False
    authorized = sum((e.amount for e in entries if e.kind == AUTHORIZATION), Decimal("0"))
    settled = sum((e.amount for e in entries if e.kind in (REFUND, VOID)), Decimal("0"))
    if refund.amount > authorized - settled:
        raise PaymentConflict(
            f"{refund.order_id}: refund of {refund.amount} exceeds the {authorized - settled} still held"
        )
    request = PaymentRequest(order_id=refund.order_id, amount=refund.amount, currency=refund.currency)
    return await _append(conn, request, REFUND, key=key, reason=refund.reason)


async def ledger(conn: AsyncConnection, order_id: str) -> list[PaymentEntry]:
    return await _all_entries(conn, order_id)


def _after_capture(entries: list[PaymentEntry]) -> tuple[Decimal, Decimal]:
    """What was captured, and what was refunded since (earlier refunds came off the hold, not it)."""
    kinds = [entry.kind for entry in entries]
    if CAPTURE not in kinds:
        return Decimal("0"), Decimal("0")
    at = kinds.index(CAPTURE)
    refunded = sum((e.amount for e in entries[at + 1 :] if e.kind == REFUND), Decimal("0"))
    return entries[at].amount, refunded


async def refundable(conn: AsyncConnection, order_id: str) -> tuple[Decimal, Decimal]:
    """(captured, refunded since the capture) of a collected order."""
    return _after_capture(await _all_entries(conn, order_id))


async def refund_return(
    conn: AsyncConnection, order_id: str, return_id: str, amount: Decimal, currency: str
) -> Decimal:
    """Money back for a return, to the original payment: once per return id, ever (the amount first
    recorded is answered on a repeat), never more than captured minus refunded."""
    key = f"{order_id}:refund:{return_id}"
    entries = await _all_entries(conn, order_id, lock=True)
    done = await conn.scalar(select(payment_entries.c.amount).where(payment_entries.c.idempotency_key == key))
    if done is not None:
        return Decimal(done)
    captured, refunded = _after_capture(entries)
    if amount > captured - refunded:
        raise PaymentConflict(
            f"{order_id}: refund of {amount} exceeds the {captured - refunded} captured and not refunded"
        )
    request = PaymentRequest(order_id=order_id, amount=amount, currency=currency)
    await _append(conn, request, REFUND, key=key, reason=f"return {return_id}")
    return amount
