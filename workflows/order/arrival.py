"""The customer on their way: a check-in is recorded and shown to ops; at the curb, the store brings a
ready order out within the policy's time or is reminded."""

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.commands import CollectorNaming, CustomerCheckIn
    from domain.status import IN_PREPARATION
    from workflows.activities import NotificationSteps

from workflows import calls
from workflows.order.context import OrderContext, refusals
from workflows.order.patches import PATCH_CHECK_IN, patched


async def check_in(ctx: OrderContext, request: CustomerCheckIn) -> None:
    """Record the check-in; a customer newly at the curb starts the curbside watch beside the main line."""
    order = ctx.order
    with refusals():
        at_curb = order.check_in(request)
    # Only orders that receive a check-in (an update older histories never had) reach this point.
    if patched(PATCH_CHECK_IN):
        workflow.upsert_search_attributes([ids.SA_CHECKED_IN.value_set(True)])
        if at_curb:
            asyncio.create_task(_watch_curbside(ctx))  # deterministic: the workflow's own event loop
    await ctx.record()


BRING_OUT_BY = "curbside bring-out"  # the timer as the Temporal UI names it
CURBSIDE_REMINDER = "remind the store: customer at the curb"


async def _watch_curbside(ctx: OrderContext) -> None:
    """Once the order is ready, bring it out within the policy's time; late, the store is reminded."""
    order = ctx.order
    await ctx.wait_until(lambda: order.status not in IN_PREPARATION)
    if not order.curbside_due:
        return
    if order.state.check_in and order.state.check_in.bring_out_by is None:
        order.start_curbside_clock()
        await ctx.record()
    check_in = order.state.check_in
    assert check_in and check_in.bring_out_by
    if await ctx.wait_until(lambda: not order.curbside_due, until=check_in.bring_out_by, timer=BRING_OUT_BY):
        return
    await calls.message(NotificationSteps.remind_store, order.curbside_reminder(), summary=CURBSIDE_REMINDER)


async def name_collector(ctx: OrderContext, naming: CollectorNaming) -> None:
    with refusals():
        ctx.order.name_collector(naming)
    await ctx.record()
