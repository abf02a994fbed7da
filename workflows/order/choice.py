"""The customer's choice: ask what is possible, wait for the answer (or apply the default at the
deadline), then move the order, collect what is there, deliver it home, or cancel and refund."""

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.commands import CustomerChoice
    from domain.decisions import ChoiceRequest
    from domain.notifications import NotificationKind
    from domain.policy import ChoiceOption
    from domain.status import IN_PREPARATION, OrderStatus
    from workflows.activities import OrderSteps, PaymentSteps
    from workflows.contracts import DeliveryRequest, ShipmentSettlement, StoreSearch

from workflows.delivery import DeliveryWorkflow
from workflows.order.context import OrderContext
from workflows.order.rerouting import drop_missing, leave_store, move_to


async def ask_customer(ctx: OrderContext, reason: str) -> None:
    """No store within reach can take it unasked: offer what is possible, until a deadline."""
    order = ctx.order
    lines = order.state.current_lines
    wider = await ctx.route(reason, radius_km=order.policy.routing.offer_distance_km)
    shipping = await ctx.find_stores(StoreSearch(skus=[line.sku for line in lines]))
    if order.status not in IN_PREPARATION:
        return
    order.ask_customer(reason, order.stores_to_offer(wider), shipping)
    await ctx.record()
    await ctx.notify(NotificationKind.CHOICE_REQUESTED)


CHOICE_DEADLINE = "customer's choice deadline"  # the timer as the Temporal UI names it


async def await_choice(ctx: OrderContext) -> None:
    """The customer's answer, or the default at the deadline."""
    order = ctx.order
    choice = order.state.choice
    assert choice
    if not await ctx.wait_until(lambda: order.answered, until=choice.deadline, timer=CHOICE_DEADLINE):
        order.answer_by_default()
    if order.status is not OrderStatus.AWAITING_CUSTOMER:
        return
    await _apply_choice(ctx, order.take_answer(), choice)


async def _apply_choice(ctx: OrderContext, answer: CustomerChoice, choice: ChoiceRequest) -> None:
    order = ctx.order
    who = order.who_chose(answer)
    if answer.option is ChoiceOption.OTHER_STORE and answer.store_id:
        for store_id in order.stores_chosen(answer, choice):
            if await move_to(ctx, store_id, f"{who} chose {store_id}"):
                return
        order.chosen_stores_lack_stock()
    elif answer.option is ChoiceOption.COLLECT_AVAILABLE:
        await _collect_available(ctx, f"{who} will collect what is there")
    elif answer.option is ChoiceOption.HOME_DELIVERY:
        await _deliver(ctx, answer)
    else:
        order.refund_chosen(answer, choice)


async def _collect_available(ctx: OrderContext, reason: str) -> None:
    """Keep what the store has, release and refund the missing units, and let the store finish."""
    order = ctx.order
    refund = await drop_missing(
        ctx,
        order.missing_units(),
        release_reason="short pick: missing lines",
        tag="short-pick",
        refund_key=f"short-pick-{order.routes}",
        refund_reason="missing lines",
        then=lambda: order.collect_available(reason),
    )
    await ctx.notify(NotificationKind.REFUND_ISSUED, refund_amount=refund)


async def _deliver(ctx: OrderContext, answer: CustomerChoice) -> None:
    """Continue as a home delivery (a child workflow): release the store, ship, capture, tell."""
    order = ctx.order
    address = order.delivery_address(answer)
    if ctx.one_transaction:
        order.switch_to_delivery(answer, address)
        await leave_store(ctx, order.holder)
    else:
        await ctx.release(order.holder)
        order.switch_to_delivery(answer, address)
        await ctx.record()
    state = order.state
    request = DeliveryRequest(
        order_id=state.order_id,
        lines=state.current_lines,
        address=address,
        customer=state.placement.customer,
        channel_order_id=state.placement.channel_order_id,
        currency=state.placement.currency,
        near=state.store,
    )
    try:
        outcome = await workflow.execute_child_workflow(
            DeliveryWorkflow.run, request, id=ids.delivery_workflow_id(state.order_id)
        )
    except ChildWorkflowError as failure:  # one of its steps failed for good: support settles it
        await ctx.failed_for_good("home delivery", failure)
        raise
    if outcome.shipment is None:
        order.delivery_failed(outcome.failure)
        return
    if ctx.one_transaction:
        order.shipped(outcome.shipment)
        shipped = ShipmentSettlement(capture=ctx.payment(), view=order.state.view())
        await ctx.database(OrderSteps.settle_shipment, shipped)
    else:
        await ctx.database(PaymentSteps.capture, ctx.payment())
        order.shipped(outcome.shipment)
        await ctx.record()
    await ctx.notify(NotificationKind.SHIPPED)
