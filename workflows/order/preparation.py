"""Preparation: the store accepts and readies the order within its SLA (at risk: the store is reminded);
a breach, a rejection, a short pick or stock at risk escalates it."""

from collections.abc import Callable
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.order import Escalation
    from domain.routing import why_chosen
    from domain.sla import local_time
    from domain.status import IN_PREPARATION, OrderStatus
    from domain.values import PreparationSla
    from workflows.activities import NotificationSteps

from workflows.order import choice, rerouting
from workflows.order.context import OrderContext, or_deadlines_moved

# The preparation timers as the Temporal UI names them, by step (accept, ready).
AT_RISK_TIMERS = {"accept": "accept SLA at risk", "ready": "ready SLA at risk"}
DEADLINE_TIMERS = {"accept": "accept deadline", "ready": "ready deadline"}


async def prepare(ctx: OrderContext) -> None:
    """Until the order is ready, finished or shipped: watch the store, escalate what goes wrong, wait for
    the customer's choice."""
    order = ctx.order
    while True:
        if order.status in IN_PREPARATION:
            problem = await _watch_preparation(ctx)
            if problem:
                await escalate(ctx, problem)
                order.problem_handled()
        elif order.status is OrderStatus.AWAITING_CUSTOMER:
            await choice.await_choice(ctx)
        else:
            return


async def _watch_preparation(ctx: OrderContext) -> str | None:
    """Wait for the store through both deadlines; the reason to escalate, or None once it moved on."""
    order = ctx.order
    sla, moves = order.preparation_sla(), order.state.deadlines_moved

    def deadlines() -> PreparationSla:
        """The deadlines as they stood when the wait began, unless a changed pickup slot moved them
        (orders started before the slot-change-moves-timers patch never do)."""
        return sla if order.state.deadlines_moved == moves else order.preparation_sla()

    accepted = lambda: order.moved_on or order.status is not OrderStatus.RESERVED  # noqa: E731
    if not await _within_sla(ctx, accepted, deadlines, "accept"):
        return f"not accepted by {local_time(deadlines().accept_by, order.timezone)} (SLA breached)"
    if not await _within_sla(ctx, lambda: order.moved_on, deadlines, "ready"):
        return f"not ready by {local_time(deadlines().ready_by, order.timezone)} (SLA breached)"
    return order.state.problem


def _times(sla: PreparationSla, step: str) -> tuple[datetime, datetime]:
    """When the step is at risk and when it is due."""
    return (sla.accept_at_risk, sla.accept_by) if step == "accept" else (sla.ready_at_risk, sla.ready_by)


async def _within_sla(
    ctx: OrderContext, done: Callable[[], bool], deadlines: Callable[[], PreparationSla], step: str
) -> bool:
    """True when `done` comes before the step is due; when it is at risk the store is reminded and the
    order flagged. A changed pickup slot moves the deadlines: the wait starts again on the new ones
    (the flag goes if the new deadline is not at risk yet)."""
    order = ctx.order
    warned = False
    while True:
        at_risk, due = _times(deadlines(), step)
        waiting = or_deadlines_moved(order, done)
        if not warned:
            if await ctx.wait_until(waiting, until=at_risk, timer=AT_RISK_TIMERS[step]):
                if done():
                    return True
                continue
            reminder = order.flag_sla_at_risk(step, due)
            await ctx.record()
            what = f"the store's {step} reminder #{reminder.sequence}"
            await ctx.message(NotificationSteps.remind_store, reminder, what=what)
            warned = True
        kept = await ctx.wait_until(waiting, until=due, timer=DEADLINE_TIMERS[step])
        if kept and not done():  # the deadlines moved
            if _times(deadlines(), step)[0] > workflow.now():
                warned = False
                if order.clear_sla_at_risk():
                    await ctx.record()
            continue
        if kept and order.clear_sla_at_risk():
            await ctx.record()
        return kept


async def escalate(ctx: OrderContext, reason: str) -> None:
    """Move the order (or, after a short pick and by policy, its missing lines) to the best store within
    reach; otherwise ask the customer."""
    order = ctx.order
    escalation = order.escalation()
    if escalation is Escalation.SPLIT:
        if await rerouting.split(ctx, reason) or order.status not in IN_PREPARATION:
            return
        await choice.ask_customer(ctx, reason)
        return
    if escalation is Escalation.MOVE:
        decision = await ctx.route(reason, radius_km=order.policy.routing.max_distance_km)
        for candidate in order.stores_to_try(decision):
            why = why_chosen(decision, candidate.store_id)
            if await rerouting.move_to(ctx, candidate.store_id, f"{reason} ({why})"):
                return
            if order.status not in IN_PREPARATION:
                return
    if order.status in IN_PREPARATION:
        await choice.ask_customer(ctx, reason)
