"""Collection: the order waits for the customer (reminders, then expiry), is handed over against the
pickup code (in part, if the customer leaves something), or is compensated when it ends uncollected."""

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.channel_sync import ChannelEvent
    from domain.commands import Collection, ReadyReport
    from domain.errors import WrongPickupCode
    from domain.notifications import CustomerNotification, NotificationKind
    from domain.order import Handover, Order
    from domain.status import OrderStatus
    from workflows.activities import OrderRecordSteps, OrderSteps, PaymentSteps, StockSteps
    from workflows.contracts import (
        CollectionSettlement,
        Compensation,
        PartialRelease,
        PickupUnlocked,
        RecordAndTell,
        SupportAlert,
    )

from workflows.order import channel_sync
from workflows.order.context import OrderContext, or_deadlines_moved, refusals
from workflows.order.patches import PATCH_CADENCE, patched

Settlement = TypeVar("Settlement", CollectionSettlement, Compensation)

# The collection timers as the Temporal UI names them.
HOLD_ENDS = "hold ends"
COLLECTION_TIMERS = {
    NotificationKind.READY_FOR_PICKUP: "ready notice after quiet hours",
    NotificationKind.PICKUP_REMINDER: "collection reminder",
    NotificationKind.EXPIRY_WARNING: "expiry warning",
}
OTHER_COLLECTION_MESSAGE = "collection message"  # a kind added to the cadence later


async def mark_ready(ctx: OrderContext, report: ReadyReport) -> None:
    """Staged: the pickup code is drawn and the customer told (unless quiet hours hold the message)."""
    order = ctx.order
    with refusals():
        order.mark_ready(report.staging_location, report.actor, lambda: workflow.random().randint(0, 999_999))
    # Decided before the first await: the collection loop plans its messages as soon as we yield.
    held = order.hold_ready_notice(quiet_hours=patched(PATCH_CADENCE))
    ready = NotificationKind.READY_FOR_PICKUP
    reported = partial(channel_sync.report, ctx, ChannelEvent.READY)
    if not held and await ctx.step_then_tell(
        ready, OrderSteps.record_and_tell, _recorded_with(order), then=reported
    ):
        return
    await ctx.record()
    reported()
    if not held:
        await ctx.notify(ready)


def _recorded_with(order: Order) -> Callable[[CustomerNotification], RecordAndTell]:
    return lambda message: RecordAndTell(view=order.state.view(), message=message)


async def collect(ctx: OrderContext, collection: Collection) -> None:
    """The right pickup code completes the order: what the customer leaves goes back on sale and is
    refunded (before the capture), the rest leaves the store and the payment is captured."""
    order = ctx.order
    with refusals():
        try:
            handover = order.collect(collection)
        except WrongPickupCode as wrong:
            if wrong.locked:
                await ctx.database(OrderRecordSteps.raise_support_alert, _pickup_locked(order))
            raise
    told = False
    reported = partial(channel_sync.report, ctx, ChannelEvent.COLLECTED)
    if ctx.one_transaction:
        settlement = _collection_settlement(ctx, handover)
        receipt = NotificationKind.RECEIPT
        told = await ctx.step_then_tell(
            receipt, OrderSteps.settle_collection, _with(settlement), then=reported
        )
        if not told:
            await ctx.database(OrderSteps.settle_collection, settlement)
    else:
        if handover.left:
            await ctx.database(StockSteps.release_lines, _left_behind(order, handover))
            await ctx.refund(handover.refund, "uncollected", "lines left at collection")
        await ctx.database(StockSteps.commit, order.holder)
        await ctx.database(PaymentSteps.capture, ctx.payment())
        await ctx.record()
    if not told:
        reported()
        await ctx.notify(NotificationKind.RECEIPT)
    if handover.refund > 0:
        await ctx.notify(NotificationKind.REFUND_ISSUED, refund_amount=handover.refund)


def _collection_settlement(ctx: OrderContext, handover: Handover) -> CollectionSettlement:
    """One transaction: what was left released and refunded, the rest committed, the payment captured,
    the order recorded."""
    order = ctx.order
    left = _left_behind(order, handover) if handover.left else None
    refund = ctx.give_back(handover.refund, "uncollected", "lines left at collection") if left else None
    return CollectionSettlement(
        holder=order.holder,
        left=left,
        refund=refund,
        capture=ctx.payment(),
        view=order.state.view(),
        pickup_code=order.state.pickup_code,
    )


def _with(step: Settlement) -> Callable[[CustomerNotification], Settlement]:
    """The step's input carrying the message it ends with."""
    return lambda message: step.model_copy(update={"message": message})


def _left_behind(order: Order, handover: Handover) -> PartialRelease:
    return PartialRelease(
        holder_id=order.holder, quantities=handover.left, reason="not collected", tag="uncollected"
    )


async def unlock_pickup(ctx: OrderContext) -> None:
    """Support checked with the customer: they may try their pickup code again."""
    order = ctx.order
    order.unlock_pickup()
    if ctx.one_transaction:
        unlocked = PickupUnlocked(alert=_pickup_locked(order), view=order.state.view())
        await ctx.database(OrderSteps.record_pickup_unlocked, unlocked)
    else:
        await ctx.database(OrderRecordSteps.resolve_support_alert, _pickup_locked(order))
        await ctx.record()


def _pickup_locked(order: Order) -> SupportAlert:
    lock = order.pickup_lock
    return SupportAlert(order_id=order.state.order_id, kind=lock.kind, detail=lock.detail, key=lock.key)


async def await_collection(ctx: OrderContext) -> None:
    """Hold the order for the customer: the reminder cadence, then expiry at the end of the hold. A
    changed pickup slot moves them: the plan is made again, without the messages already sent."""
    order = ctx.order
    replanned = False
    while True:
        waiting = or_deadlines_moved(order, lambda: order.status is not OrderStatus.READY)
        if not await _hold(ctx, waiting, replanned=replanned):
            order.expire()
            return
        if order.status is not OrderStatus.READY:
            return
        replanned = True


async def _hold(ctx: OrderContext, waiting: Callable[[], bool], *, replanned: bool) -> bool:
    """The messages of the plan, then the end of the hold; True when `waiting` came first."""
    order = ctx.order
    deadline = order.state.pickup_deadline
    assert deadline
    plan = order.collection_messages(cadence=patched(PATCH_CADENCE))
    for send_at, kind in plan:
        if replanned and kind in order.state.sequences:  # sent before the slot changed
            continue
        timer = COLLECTION_TIMERS.get(kind, f"{OTHER_COLLECTION_MESSAGE}: {kind.value}")
        if await ctx.wait_until(waiting, until=send_at, timer=timer):
            return True
        await ctx.notify(kind)
    return await ctx.wait_until(waiting, until=deadline, timer=HOLD_ENDS)


async def compensate(ctx: OrderContext) -> None:
    """Undo what an order holds: stock back on the shelf, payment voided, customer told."""
    order = ctx.order
    expired = order.status is OrderStatus.EXPIRED
    kind = NotificationKind.ORDER_EXPIRED if expired else NotificationKind.ORDER_CANCELLED

    def ended() -> None:  # the channel told, and answered if it still waits (a cancellation at intake)
        channel_sync.report(ctx, ChannelEvent.EXPIRED if expired else ChannelEvent.CANCELLED)
        order.mark_intake_answered()

    told = False
    if ctx.one_transaction:
        compensation = Compensation(holder=order.holder, void=ctx.payment(), view=order.state.view())
        told = await ctx.step_then_tell(kind, OrderSteps.settle_compensation, _with(compensation), then=ended)
        if not told:
            await ctx.database(OrderSteps.settle_compensation, compensation)
    else:
        await ctx.release(order.holder)
        await ctx.database(PaymentSteps.void, ctx.payment())
        await ctx.record()
    if not told:
        ended()
        await ctx.notify(kind)
    order.mark_compensated()
