"""The steps of an order, each its whole database work in one transaction: the stock it moves, the
payments ledger, the read model, support alerts, and the review of the stock it moved (orders put at
risk are told before it commits). A retry repeats the whole step and changes nothing more: every part is
keyed as its own repository keys it (reservations by holder, ledger entries by order, step and SKU,
payments by order and step, refunds by key, the read model by version, alerts by key)."""

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db import orders, payments, returns, stock, support
from adapters.db import slots as slot_rows
from domain.slots import PickupSlot
from services import slots
from services.customer_messages import Messenger
from services.errors import InvalidField, SlotFull
from services.signals import StockSignals
from services.stock_review import review_moved
from workflows.contracts import (
    CollectionSettlement,
    Compensation,
    DroppedLines,
    IntakeReservation,
    PartialRelease,
    PickupUnlocked,
    RecordAndTell,
    ReservationOutcome,
    ShipmentSettlement,
    StoreLeft,
)


async def reserve_order(
    engine: AsyncEngine, signals: StockSignals, step: IntakeReservation
) -> ReservationOutcome:
    """Every line held at the store, the payment authorised and the order recorded as reserved; or,
    when a line is short, nothing written at all."""
    request = step.reservation
    async with engine.begin() as conn:
        outcome = await stock.reserve(conn, request)
        if outcome.reserved:
            await payments.authorize(conn, step.payment)
            await orders.record(conn, step.view)
            await review_moved(conn, signals, [(request.store_id, line.sku) for line in request.lines])
            outcome = outcome.model_copy(update={"slot": await _book_asked_slot(conn, step)})
    return outcome


async def settle_collection(
    engine: AsyncEngine, signals: StockSignals, messenger: Messenger, step: CollectionSettlement
) -> bool | None:
    """What the customer left back on sale and refunded, the rest out of the store, the payment captured
    (after the refund: a refund goes against the authorisation), the order recorded; then the receipt, if
    given (`Messenger.tell_now`)."""
    async with engine.begin() as conn:
        if step.left:
            await _release_lines(conn, signals, step.left)
        if step.refund:
            await payments.refund(conn, step.refund)
        await stock.commit(conn, step.holder)
        await payments.capture(conn, step.capture)
        await orders.record(conn, step.view)
        if step.pickup_code:
            await returns.remember_pickup_code(conn, step.view.order_id, step.pickup_code)
    return await messenger.tell_now(step.message)


async def settle_compensation(
    engine: AsyncEngine, signals: StockSignals, messenger: Messenger, step: Compensation
) -> bool | None:
    """The order's stock back on sale, its payment voided, the order recorded as it ended; then the
    customer told, if given the message."""
    async with engine.begin() as conn:
        await _release(conn, signals, step.holder)
        await payments.void(conn, step.void)
        await orders.record(conn, step.view)
        await slot_rows.release(conn, step.view.order_id)
    return await messenger.tell_now(step.message)


async def record_and_tell(engine: AsyncEngine, messenger: Messenger, step: RecordAndTell) -> bool:
    """The order recorded, then the customer told (a step whose only database work is its record)."""
    async with engine.begin() as conn:
        await orders.record(conn, step.view)
    return bool(await messenger.tell_now(step.message))


async def settle_dropped_lines(engine: AsyncEngine, signals: StockSignals, step: DroppedLines) -> None:
    """The units dropped back on sale, their share of the payment given back, the order recorded."""
    async with engine.begin() as conn:
        await _release_lines(conn, signals, step.release)
        if step.refund:
            await payments.refund(conn, step.refund)
        await orders.record(conn, step.view)


async def leave_store(engine: AsyncEngine, signals: StockSignals, step: StoreLeft) -> None:
    """The reservation at the store the order left back on sale (and its pickup slot there), the order
    recorded where it went."""
    async with engine.begin() as conn:
        await _release(conn, signals, step.holder)
        await orders.record(conn, step.view)
        await slot_rows.release(conn, step.view.order_id)


async def settle_shipment(engine: AsyncEngine, step: ShipmentSettlement) -> None:
    """The payment captured once the parcel left, the order recorded as shipped."""
    async with engine.begin() as conn:
        await payments.capture(conn, step.capture)
        await orders.record(conn, step.view)


async def record_pickup_unlocked(engine: AsyncEngine, step: PickupUnlocked) -> None:
    """The lockout's alert resolved, the order recorded."""
    async with engine.begin() as conn:
        await support.resolve(conn, step.alert.order_id, step.alert.kind)
        await orders.record(conn, step.view)


async def _book_asked_slot(conn: AsyncConnection, step: IntakeReservation) -> PickupSlot | None:
    """The slot the customer chose at checkout, when the order stays at that store and a place is left;
    otherwise the order goes on without one (the customer chooses on the pickup page). A savepoint: a
    full slot leaves the rest of the step as it is."""
    placement, store = step.view.placement, step.view.store
    if placement.pickup_slot is None or store is None or store.id != placement.store_id:
        return None
    try:
        async with conn.begin_nested():
            slot = await slots.book_in(conn, step.view.order_id, store, placement.pickup_slot)
    except (SlotFull, InvalidField):
        return None
    return PickupSlot(starts_at=slot.starts_at, ends_at=slot.ends_at)


async def _release(conn: AsyncConnection, signals: StockSignals, holder: str) -> None:
    store_id, skus = await stock.holding(conn, holder)
    if await stock.release(conn, holder) and store_id:
        await _review(conn, signals, store_id, skus)


async def _release_lines(conn: AsyncConnection, signals: StockSignals, release: PartialRelease) -> None:
    store_id, _ = await stock.holding(conn, release.holder_id)
    released = await stock.release_part(
        conn, release.holder_id, release.quantities, reason=release.reason, tag=release.tag
    )
    if released and store_id:
        await _review(conn, signals, store_id, release.quantities)


async def _review(conn: AsyncConnection, signals: StockSignals, store_id: str, skus: Iterable[str]) -> None:
    await review_moved(conn, signals, [(store_id, sku) for sku in skus])
