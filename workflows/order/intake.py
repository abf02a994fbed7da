"""Intake: reserve every line at the pickup store (or a nearby one the channel accepted), authorise the
payment for what is held, or refuse the order."""

from dataclasses import dataclass

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.order import Foresight, Order
    from domain.status import OrderStatus
    from domain.values import StoreProfile
    from workflows.activities import OrderRecordSteps, OrderSteps, PaymentSteps
    from workflows.contracts import IntakeReservation, ReservationOutcome

from workflows.order.context import OrderContext
from workflows.order.patches import PATCH_SLOTS, patched


@dataclass(frozen=True)
class Reservation:
    outcome: ReservationOutcome
    foresight: Foresight[Order] | None = None  # recorded by its transaction (one-transaction-per-step)


async def reserve(ctx: OrderContext) -> bool:
    """Reserve every line at the pickup store, or none; authorise the payment for what is held. When that
    store cannot, nearby stores that can are offered (and taken, if the channel allowed). False when the
    order was refused or cancelled meanwhile."""
    order = ctx.order
    placement = order.state.placement
    order.store_found(await _pickup_store(ctx))
    if order.status is not OrderStatus.RECEIVED:  # cancelled before anything was held
        return False
    if order.store_takes_new_orders:
        reservation = await _reserve_at(ctx, placement.store_id)
    else:
        reservation = Reservation(ReservationOutcome(reserved=False))
    if order.status is not OrderStatus.RECEIVED:  # cancelled while we reserved
        return False
    if not reservation.outcome.reserved:
        order.short_of_stock(reservation.outcome.missing)
        alternative = await _reserve_alternative(ctx) if order.routing_enabled else None
        if alternative is None:
            return await _refuse(ctx)
        if order.status is not OrderStatus.RECEIVED:
            return False
        reservation = alternative
    if reservation.foresight:  # authorised and recorded in the reservation's transaction
        came_true = order.come_true(reservation.foresight)
        slot = reservation.outcome.slot  # booked in the same transaction: the store's ready-by aims at it
        booked = slot is not None and patched(PATCH_SLOTS) and order.book_slot(slot)
        if not came_true or booked:
            await ctx.record()
    else:
        await ctx.database(PaymentSteps.authorize, ctx.payment())
        order.reserve()
        await ctx.record()
    order.mark_intake_answered()
    return True


async def _pickup_store(ctx: OrderContext) -> StoreProfile:
    """The store as the door found it; loaded for orders placed without it (and before it was given)."""
    if ctx.one_transaction and ctx.store_at_the_door:
        return ctx.store_at_the_door
    return await ctx.database(OrderRecordSteps.load_store, ctx.order.state.placement.store_id)


async def _reserve_at(ctx: OrderContext, store_id: str, *, alternative: bool = False) -> Reservation:
    """Reserve the whole order at a store under its holder. In one transaction (orders since
    one-transaction-per-step), once every line is held, the payment is authorised and the order recorded
    as it will be once reserved."""
    order = ctx.order
    if not ctx.one_transaction:
        return Reservation(await ctx.reserve(store_id, order.holder))

    def reserved(twin: Order) -> None:
        if alternative:
            twin.take_alternative(store_id)
        twin.reserve()

    foresight = order.foresee(reserved)
    step = IntakeReservation(
        reservation=ctx.reservation(store_id, order.holder), payment=ctx.payment(), view=foresight.view
    )
    outcome = await ctx.database(OrderSteps.reserve_order, step)
    if not outcome.reserved:
        return Reservation(outcome)
    if order.status is not OrderStatus.RECEIVED:  # cancelled meanwhile: its record must come after
        order.recorded_ahead(foresight.view)
    return Reservation(outcome, foresight)


async def _reserve_alternative(ctx: OrderContext) -> Reservation | None:
    """Record the nearby stores that could serve the basket; take the best one if the channel allowed
    (None when none was taken)."""
    order = ctx.order
    decision = await ctx.route(
        "the chosen store cannot serve the basket", radius_km=order.policy.routing.offer_distance_km
    )
    alternatives = order.offer_alternatives(decision)
    if not order.state.placement.accept_alternative:
        return None
    for candidate in alternatives:
        reservation = await _reserve_at(ctx, candidate.store_id, alternative=True)
        if reservation.outcome.reserved:
            order.take_alternative(candidate.store_id)
            return reservation
    return None


async def _refuse(ctx: OrderContext) -> bool:
    ctx.order.refuse()
    await ctx.record()
    ctx.order.mark_intake_answered()
    return False
