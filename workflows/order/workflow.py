"""One click & collect order, from reservation to collection, expiry or cancellation.

The workflow keeps the handlers and the main line; the order's rules and state changes are the Order
aggregate's (domain/order/), and each business step lives in its own module here."""

from contextlib import suppress

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.access import from_temporal
    from domain.commands import (
        Cancellation,
        Collection,
        CollectorNaming,
        CustomerCheckIn,
        CustomerChoice,
        PickReport,
        ReadyReport,
        ResendRequest,
        ShortPick,
        StoreAcceptance,
        StoreRejection,
        SupportAction,
    )
    from domain.notifications import NotificationKind
    from domain.order_state import OrderView
    from domain.slots import PickupSlot
    from domain.status import HOLDS_STOCK, TERMINAL, OrderStatus
    from domain.values import StockAtRisk
    from workflows.activities import StockSteps
    from workflows.contracts import IntakeConfirmation, IntakeResult, OrderInput, StockWriteOff

from workflows.order import arrival, channel_sync, collection, intake, preparation
from workflows.order.context import OrderContext, Parked, refusals
from workflows.order.patches import (
    PATCH_CALENDAR,
    PATCH_LOCAL_MESSAGES,
    PATCH_ONE_TRANSACTION,
    PATCH_ROUTING,
    PATCH_SLOT_TIMERS,
    patched,
)


@workflow.defn(name=ids.WORKFLOW_ORDER)
class OrderWorkflow:
    @workflow.init
    def __init__(self, input: OrderInput) -> None:
        self._ctx = OrderContext(input)
        self._order = self._ctx.order

    @workflow.run
    async def run(self, input: OrderInput) -> OrderView:
        order, ctx = self._order, self._ctx
        order.routing_enabled = patched(PATCH_ROUTING)
        ctx.one_transaction = patched(PATCH_ONE_TRANSACTION)
        order.calendar_enabled = patched(PATCH_CALENDAR)
        ctx.local_messages = patched(PATCH_LOCAL_MESSAGES)
        ctx.publish()
        with suppress(Parked):  # a step failed for good: the order waits for support
            await self._main_line()
        if order.status is OrderStatus.PARKED:
            await ctx.wait_until(lambda: order.status is not OrderStatus.PARKED)
        if order.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
            await collection.compensate(ctx)
        await workflow.wait_condition(workflow.all_handlers_finished)
        await channel_sync.finished(ctx)
        return order.state.view()

    async def _main_line(self) -> None:
        """Intake, preparation and collection, until the order ends, is handed to a carrier, or parks."""
        order, ctx = self._order, self._ctx
        if order.status is OrderStatus.RECEIVED and await intake.reserve(ctx):
            if order.state.split_from:
                split_from = order.state.split_from.store
                await ctx.notify(NotificationKind.ORDER_SPLIT, previous_store=split_from, answer_first=True)
            else:
                await ctx.notify(NotificationKind.ORDER_CONFIRMED, answer_first=True)
        if order.routing_enabled:
            await preparation.prepare(ctx)
        elif order.status in HOLDS_STOCK:
            await ctx.wait_until(lambda: order.status is OrderStatus.READY or order.status in TERMINAL)
        if order.status is OrderStatus.READY:
            await collection.await_collection(ctx)

    # ---- queries ------------------------------------------------------------------------------

    @workflow.query(name=ids.QUERY_STATE)
    def state(self) -> OrderView:
        return self._order.state.view()

    @workflow.query(name=ids.QUERY_PICKUP_CODE)
    def pickup_code(self) -> str | None:
        """The code, for the customer's own tracking page, while the order waits for them."""
        return self._order.pickup_code_for_customer

    # ---- intake and the store's steps ---------------------------------------------------------

    @workflow.update(name=ids.UPDATE_CONFIRM_INTAKE)
    async def confirm_intake(self, request: IntakeConfirmation) -> IntakeResult:
        """Answer the channel once the reservation is decided; a repeat of the same order is not new."""
        with refusals():
            created = self._order.confirm_intake(request.fingerprint)
        await workflow.wait_condition(lambda: self._order.state.intake_answered)
        return IntakeResult(order=self._order.state.view(), created=created)

    @workflow.update(name=ids.UPDATE_ACCEPT)
    async def accept(self, request: StoreAcceptance) -> OrderView:
        with refusals():
            self._order.accept(request.actor)
        with suppress(Parked):
            await self._ctx.record()
        return self._order.state.view()

    @accept.validator
    def _validate_accept(self, request: StoreAcceptance) -> None:
        with refusals():
            self._order.ensure(OrderStatus.ACCEPTED)

    @workflow.update(name=ids.UPDATE_PICK)
    async def pick(self, report: PickReport) -> OrderView:
        with refusals():
            self._order.pick(report.lines, report.actor)
        with suppress(Parked):
            await self._ctx.record()
        return self._order.state.view()

    @pick.validator
    def _validate_pick(self, report: PickReport) -> None:
        with refusals():
            self._order.ensure_pick(report.lines)

    @workflow.update(name=ids.UPDATE_MARK_READY)
    async def mark_ready(self, report: ReadyReport) -> OrderView:
        with suppress(Parked):
            await collection.mark_ready(self._ctx, report)
        return self._order.state.view()

    @mark_ready.validator
    def _validate_mark_ready(self, report: ReadyReport) -> None:
        with refusals():
            self._order.ensure(OrderStatus.READY)

    # ---- collection ---------------------------------------------------------------------------

    @workflow.update(name=ids.UPDATE_COLLECT)
    async def collect(self, handover: Collection) -> OrderView:
        """The right pickup code completes the order: stock leaves the store, the payment is captured."""
        with suppress(Parked):
            await collection.collect(self._ctx, handover)
        return self._order.state.view()

    @collect.validator
    def _validate_collect(self, handover: Collection) -> None:
        with refusals():
            self._order.ensure_collectable(handover)

    @workflow.update(name=ids.UPDATE_UNLOCK_PICKUP)
    async def unlock_pickup(self, action: SupportAction) -> OrderView:
        """Support checked with the customer: they may try their pickup code again."""
        with suppress(Parked):
            await collection.unlock_pickup(self._ctx)
        return self._order.state.view()

    @unlock_pickup.validator
    def _validate_unlock(self, action: SupportAction) -> None:
        with refusals():
            self._order.ensure_locked()

    # ---- cancellation and messages ------------------------------------------------------------

    @workflow.update(name=ids.UPDATE_CANCEL)
    async def cancel(self, cancellation: Cancellation) -> OrderView:
        """Cancel before collection; answer once stock is released and the payment voided."""
        # Compensation runs in the main line, which also covers a reservation still in flight.
        with refusals():
            self._order.cancel(cancellation)
        await workflow.wait_condition(lambda: self._order.state.compensated)
        return self._order.state.view()

    @cancel.validator
    def _validate_cancel(self, cancellation: Cancellation) -> None:
        with refusals():
            self._order.ensure_cancellable(cancellation)

    @workflow.signal(name=ids.SIGNAL_CANCEL)
    def cancel_order(self, cancellation: Cancellation) -> None:
        """The same cancellation, for the Temporal UI and `temporal workflow signal`; its actor is marked
        as from Temporal (`temporal:<as stated>`): anyone who reaches Temporal may state any name."""
        if self._order.can_cancel:
            self._order.cancel(cancellation.model_copy(update={"actor": from_temporal(cancellation.actor)}))
        else:
            workflow.logger.warning("cancellation ignored: order is %s", self._order.status.value)

    @workflow.update(name=ids.UPDATE_RESEND_NOTIFICATION)
    async def resend_notification(self, request: ResendRequest) -> int:
        """Send the last message of a kind again (e.g. the pickup code); returns its sequence number."""
        message = self._order.resend(request.kind)
        await self._ctx.send(message)
        return message.sequence

    @resend_notification.validator
    def _validate_resend(self, request: ResendRequest) -> None:
        with refusals():
            self._order.ensure_resendable(request.kind)

    # ---- exceptions: the store, the stock feed and the customer -------------------------------

    @workflow.update(name=ids.UPDATE_REJECT)
    async def reject(self, rejection: StoreRejection) -> OrderView:
        """The store cannot prepare the order: it moves to another store, or the customer chooses."""
        self._order.reject(rejection)
        await workflow.wait_condition(lambda: self._order.state.problem is None)
        return self._order.state.view()

    @reject.validator
    def _validate_reject(self, rejection: StoreRejection) -> None:
        with refusals():
            self._order.ensure_rejectable()

    @workflow.update(name=ids.UPDATE_REPORT_SHORT_PICK)
    async def report_short_pick(self, report: ShortPick) -> OrderView:
        """Units missing at picking: the shelf count is corrected where the reason says the stock is not
        there, then the order moves or the customer chooses (per the short-pick policy)."""
        order = self._order
        corrections = order.report_short_pick(report)
        with suppress(Parked):
            if corrections:
                write_off = StockWriteOff(
                    store_id=order.state.store_id, holder_id=order.holder, lines=corrections
                )
                await self._ctx.database(StockSteps.write_off, write_off)
            await workflow.wait_condition(lambda: order.state.problem is None)
        return order.state.view()

    @report_short_pick.validator
    def _validate_short_pick(self, report: ShortPick) -> None:
        with refusals():
            self._order.ensure_short_pick(report.lines)

    @workflow.update(name=ids.UPDATE_CHOOSE)
    async def choose(self, answer: CustomerChoice) -> OrderView:
        """The customer's answer to a choice request."""
        self._order.answer(answer)
        await workflow.wait_condition(lambda: self._order.status is not OrderStatus.AWAITING_CUSTOMER)
        return self._order.state.view()

    @choose.validator
    def _validate_choose(self, answer: CustomerChoice) -> None:
        with refusals():
            self._order.ensure_answerable(answer)

    @workflow.signal(name=ids.SIGNAL_SLOT_BOOKED)
    async def pickup_slot_booked(self, slot: PickupSlot) -> None:
        """The customer booked or changed their slot on the pickup page (the database holds the place):
        the promise, the reminders and the hold move with it (orders started since the patch)."""
        if self._order.book_slot(slot, move_deadlines=patched(PATCH_SLOT_TIMERS)):
            with suppress(Parked):
                await self._ctx.record()

    @workflow.signal(name=ids.SIGNAL_STOCK_AT_RISK)
    async def stock_at_risk(self, risk: StockAtRisk) -> None:
        """The shelf no longer covers this order's reservation: flag it until it is dealt with."""
        if self._order.flag_stock_at_risk(risk):
            with suppress(Parked):
                await self._ctx.record()

    # ---- the customer on their way ------------------------------------------------------------

    @workflow.update(name=ids.UPDATE_CHECK_IN)
    async def check_in(self, request: CustomerCheckIn) -> OrderView:
        """ "I'm on my way" / "I'm here": shown to the store; at the curb, the curbside clock runs."""
        await arrival.check_in(self._ctx, request)
        return self._order.state.view()

    @check_in.validator
    def _validate_check_in(self, request: CustomerCheckIn) -> None:
        with refusals():
            self._order.ensure_check_in()

    @workflow.update(name=ids.UPDATE_NAME_COLLECTOR)
    async def name_collector(self, naming: CollectorNaming) -> OrderView:
        """Someone else collects: the store sees their name at handover."""
        await arrival.name_collector(self._ctx, naming)
        return self._order.state.view()

    @name_collector.validator
    def _validate_name_collector(self, naming: CollectorNaming) -> None:
        with refusals():
            self._order.ensure_collector_nameable()
