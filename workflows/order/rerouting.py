"""Moving an order: the whole order to another store (reserve there first, then release here), or the
lines a store could not find to a store that has them, as a split order."""

from collections.abc import Callable
from decimal import Decimal

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.notifications import NotificationKind
    from domain.routing import why_chosen
    from domain.status import IN_PREPARATION, OrderStatus
    from domain.values import SplitOrigin
    from workflows.activities import OrderSteps, StockSteps
    from workflows.contracts import DroppedLines, OrderInput, PartialRelease, StoreLeft

from workflows.order.context import OrderContext


async def move_to(ctx: OrderContext, store_id: str, reason: str) -> bool:
    """Reserve at the new store first, then release the old one: the customer is never left with
    nothing held. False when the new store's stock went meanwhile."""
    order = ctx.order
    holder = order.next_holder
    outcome = await ctx.reserve(store_id, holder)
    if not outcome.reserved:
        return False
    if order.status not in (*IN_PREPARATION, OrderStatus.AWAITING_CUSTOMER):  # cancelled meanwhile
        await ctx.release(holder)
        return True
    left = order.reroute_to(store_id)
    if ctx.one_transaction:
        order.rerouted(reason, left)
        await leave_store(ctx, left.holder)
    else:
        await ctx.release(left.holder)
        order.rerouted(reason, left)
        await ctx.record()
    await ctx.notify(NotificationKind.REROUTED, previous_store=left.store)
    return True


async def leave_store(ctx: OrderContext, holder: str) -> None:
    """One transaction: the reservation at the store the order left released, the order recorded."""
    await ctx.database(OrderSteps.leave_store, StoreLeft(holder=holder, view=ctx.order.state.view()))


async def split(ctx: OrderContext, reason: str) -> bool:
    """Keep what the store found; the best store within reach that has the rest prepares it as a split
    order (its own workflow, pickup code and payment). False when no store can."""
    order = ctx.order
    plan = order.split_plan()
    decision = await ctx.route(reason, radius_km=order.policy.routing.max_distance_km, lines=plan.lines)
    for candidate in order.stores_to_try(decision):
        # Reserved under the split order's own holder id: its intake finds the units already held.
        outcome = await ctx.reserve(candidate.store_id, plan.order_id, plan.lines)
        if outcome.reserved:
            break
    else:
        return False
    if order.status not in IN_PREPARATION:  # cancelled meanwhile
        await ctx.release(plan.order_id)
        return True
    here = order.state.store
    assert here
    store_id = candidate.store_id
    # The moved lines' share of the hold is released here and authorised again by the split order.
    await drop_missing(
        ctx,
        {line.sku: line.quantity for line in plan.lines},
        release_reason=f"moved to {plan.order_id}",
        tag=f"split-{plan.part}",
        refund_key=f"split-{plan.part}",
        refund_reason=f"lines moved to split order {plan.order_id}",
        then=lambda: order.split_off(plan, store_id, why_chosen(decision, store_id)),
        split=True,
    )
    await workflow.start_child_workflow(
        ids.WORKFLOW_ORDER,
        OrderInput(
            placement=order.split_placement(plan, store_id),
            policy=order.policy,
            store=order.state.candidates.get(store_id) if ctx.one_transaction else None,
            split_from=SplitOrigin(order_id=order.state.order_id, part=plan.part, store=here, reason=reason),
        ),
        id=plan.order_id,
        parent_close_policy=ParentClosePolicy.ABANDON,
    )
    return True


async def drop_missing(
    ctx: OrderContext,
    quantities: dict[str, int],
    *,
    release_reason: str,
    tag: str,
    refund_key: str,
    refund_reason: str,
    then: Callable[[], None],
    split: bool = False,
) -> Decimal:
    """The order goes on with what the store found: the units it will not hand over are released and
    their share of the payment given back (or moved, for a split); `then` is where the order goes next
    (split off, collecting what is there), recorded with it. Returns that amount."""
    order = ctx.order
    release = PartialRelease(holder_id=order.holder, quantities=quantities, reason=release_reason, tag=tag)
    amount = order.amount_of(quantities)
    if ctx.one_transaction:
        refund = ctx.give_back(amount, refund_key, refund_reason, split=split)
        order.drop_missing()
        then()
        dropped = DroppedLines(release=release, refund=refund, view=order.state.view())
        await ctx.database(OrderSteps.settle_dropped_lines, dropped)
        return amount
    await ctx.database(StockSteps.release_lines, release)
    await ctx.refund(amount, refund_key, refund_reason, split=split)
    order.drop_missing()
    then()
    await ctx.record()
    return amount
