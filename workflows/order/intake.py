"""Intake: reserve every line at the pickup store (or a nearby one the channel accepted), authorise the
payment for what is held, or refuse the order."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.status import OrderStatus
    from workflows.activities import OrderRecordSteps, PaymentSteps
    from workflows.contracts import ReservationOutcome

from workflows import calls
from workflows.order.context import OrderContext


async def reserve(ctx: OrderContext) -> bool:
    """Reserve every line at the pickup store, or none; authorise the payment for what is held. When that
    store cannot, nearby stores that can are offered (and taken, if the channel allowed). False when the
    order was refused or cancelled meanwhile."""
    order = ctx.order
    placement = order.state.placement
    order.store_found(await calls.database(OrderRecordSteps.load_store, placement.store_id))
    if order.status is not OrderStatus.RECEIVED:  # cancelled before anything was held
        return False
    if order.store_takes_new_orders:
        outcome = await ctx.reserve(placement.store_id, order.holder)
    else:
        outcome = ReservationOutcome(reserved=False)
    if order.status is not OrderStatus.RECEIVED:  # cancelled while we reserved
        return False
    if not outcome.reserved:
        order.short_of_stock(outcome.missing)
        if not (order.routing_enabled and await _reserve_alternative(ctx)):
            return await _refuse(ctx)
        if order.status is not OrderStatus.RECEIVED:
            return False
    await calls.database(PaymentSteps.authorize, ctx.payment())
    order.reserve()
    await ctx.record()
    order.mark_intake_answered()
    return True


async def _reserve_alternative(ctx: OrderContext) -> bool:
    """Record the nearby stores that could serve the basket; take the best one if the channel allowed."""
    order = ctx.order
    decision = await ctx.route(
        "the chosen store cannot serve the basket", radius_km=order.policy.routing.offer_distance_km
    )
    alternatives = order.offer_alternatives(decision)
    if not order.state.placement.accept_alternative:
        return False
    for candidate in alternatives:
        outcome = await ctx.reserve(candidate.store_id, order.holder)
        if outcome.reserved:
            order.take_alternative(candidate.store_id)
            return True
    return False


async def _refuse(ctx: OrderContext) -> bool:
    ctx.order.refuse()
    await ctx.record()
    ctx.order.mark_intake_answered()
    return False
