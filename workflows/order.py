"""One click & collect order, from reservation to collection, expiry or cancellation."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.commands import (
        Cancellation,
        Collection,
        CustomerChoice,
        PickReport,
        ReadyReport,
        ResendRequest,
        ShortPick,
        StoreAcceptance,
        StoreRejection,
        SupportAction,
    )
    from domain.deadlines import pickup_deadline, ready_by, reminder_at
    from domain.decisions import ChoiceRequest, RoutingCandidate, RoutingDecision
    from domain.delivery import choose_ship_from
    from domain.errors import OrderError
    from domain.messages import notification_for
    from domain.notifications import NotificationKind, StoreReminder
    from domain.order import (
        PickMismatch,
        apply_transition,
        check_collection,
        check_pick,
        check_short_pick,
        lines_amount,
        new_pickup_code,
        pickup_code_matches,
    )
    from domain.order_state import OrderState, OrderView
    from domain.policy import ChoiceOption, ShortPickPolicy
    from domain.reminders import collection_messages, urgent_message_time
    from domain.routing import choose_store, offers, trace_lines, why_chosen
    from domain.sla import (
        after_short_pick,
        choice_options,
        default_choice,
        local_time,
        missing_lines,
        preparation_sla,
        remaining_lines,
        stock_corrections,
    )
    from domain.status import (
        HOLDS_STOCK,
        IN_PREPARATION,
        OrderStatus,
        TransitionNotAllowed,
        can_cancel,
        ensure_transition,
    )
    from domain.values import (
        OrderLine,
        PickedLine,
        PreparationSla,
        RoutingState,
        SplitOrigin,
        StockAtRisk,
        StoreProfile,
        TimelineEntry,
    )
    from workflows.contracts import (
        DeliveryOutcome,
        DeliveryRequest,
        IntakeConfirmation,
        IntakeResult,
        OrderInput,
        PartialRelease,
        PaymentRequest,
        Refund,
        ReservationOutcome,
        ReservationRequest,
        StockWriteOff,
        StoreSearch,
        SupportAlert,
    )

DATABASE_STEP_TIMEOUT = timedelta(seconds=30)
LOCAL_RETRY_BACKOFF = timedelta(seconds=5)
NOTIFICATION_TIMEOUT = timedelta(minutes=2)
DATABASE_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30)
)
NOTIFICATION_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))
SYSTEM = "system"
PATCH_STOCK_AT_RISK = "stock-at-risk-search-attribute"
PATCH_CADENCE = "reminder-cadence-quiet-hours"
PATCH_ROUTING = "routing-sla-exceptions"
CHOICE_STORE_LIMIT = 5
# Messages about collecting: re-sent only while the order waits for the customer.
_WHILE_READY = (
    NotificationKind.READY_FOR_PICKUP,
    NotificationKind.PICKUP_REMINDER,
    NotificationKind.EXPIRY_WARNING,
)
_FINISHED = (OrderStatus.COLLECTED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED)
_BEFORE_PICKING = (OrderStatus.RESERVED, OrderStatus.ACCEPTED)
_GONE_FROM_STORE = (*_FINISHED, OrderStatus.IN_DELIVERY, OrderStatus.SHIPPED)

MAX_PICKUP_ATTEMPTS = 5  # wrong codes before collection locks: six digits cannot be guessed in five tries


def _choice_problem(
    answer: CustomerChoice, choice: ChoiceRequest, has_address: bool
) -> tuple[str, str] | None:
    """(field, message) when the answer is not one of the options offered, or lacks what it needs."""
    if answer.option not in choice.options:
        offered = ", ".join(option.value for option in choice.options)
        return "option", f"{answer.option.value} is not offered; choose one of {offered}"
    if answer.option is ChoiceOption.OTHER_STORE:
        stores = [s.store_id for s in choice.stores]
        if answer.store_id not in stores:
            return "store_id", f"choose one of the offered stores: {', '.join(stores)}"
    if answer.option is ChoiceOption.HOME_DELIVERY and answer.delivery_address is None and not has_address:
        return "delivery_address", "a delivery address is needed for home delivery"
    return None


def _not_allowed(error: TransitionNotAllowed) -> ApplicationError:
    return ApplicationError(str(error), error.current.value, type=OrderError.TRANSITION, non_retryable=True)


@workflow.defn(name=ids.WORKFLOW_ORDER)
class OrderWorkflow:
    @workflow.init
    def __init__(self, input: OrderInput) -> None:
        placement, split = input.placement, input.split_from
        self._policy = input.policy
        self._state = input.carry_on_from or OrderState(
            order_id=ids.split_order_id(split.order_id, split.part) if split else placement.order_id,
            placement=placement,
            status=OrderStatus.RECEIVED,
            timeline=[
                TimelineEntry(
                    at=workflow.now(),
                    status=OrderStatus.RECEIVED,
                    actor=SYSTEM if split else f"channel:{placement.channel}",
                    reason=f"split from {split.order_id}: {split.reason}" if split else None,
                )
            ],
            split_from=split,
        )
        self._intake_confirmations = 0
        # True once the reservation is decided and recorded in the read model.
        self._intake_answered = self._state.status is not OrderStatus.RECEIVED
        self._compensated = False
        self._ready_notice_at: datetime | None = None  # a ready message held back by quiet hours
        self._sequences: dict[NotificationKind, int] = {}  # last sequence sent per kind, for re-sends
        self._routing = False  # routing, SLAs and exception paths (orders started before run without)
        self._problem: str | None = None  # an exception the store or the stock feed raised, until handled
        self._answer: CustomerChoice | None = None
        self._stores: dict[str, StoreProfile] = {}  # profiles of the last routing candidates

    @workflow.run
    async def run(self, input: OrderInput) -> OrderView:
        self._routing = workflow.patched(PATCH_ROUTING)
        self._publish()
        if self._status is OrderStatus.RECEIVED and await self._reserve():
            if self._state.split_from:
                await self._notify(NotificationKind.ORDER_SPLIT, previous_store=self._state.split_from.store)
            else:
                await self._notify(NotificationKind.ORDER_CONFIRMED)
        if self._routing:
            await self._prepare()
        elif self._status in HOLDS_STOCK:
            await self._wait_until(lambda: self._status in (OrderStatus.READY, *_FINISHED))
        if self._status is OrderStatus.READY:
            await self._await_collection()
        if self._status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
            await self._compensate()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state.view()

    # ---- queries, updates and signals -------------------------------------------------------

    @workflow.query(name=ids.QUERY_STATE)
    def state(self) -> OrderView:
        return self._state.view()

    @workflow.update(name=ids.UPDATE_CONFIRM_INTAKE)
    async def confirm_intake(self, request: IntakeConfirmation) -> IntakeResult:
        """Answer the channel once the reservation is decided; a repeat of the same order is not new."""
        if request.fingerprint != self._state.placement.fingerprint():
            raise ApplicationError(
                "this channel order id was already used for a different order",
                type=OrderError.CHANNEL_ORDER_CONFLICT,
                non_retryable=True,
            )
        created = self._intake_confirmations == 0
        self._intake_confirmations += 1
        await workflow.wait_condition(lambda: self._intake_answered)
        return IntakeResult(order=self._state.view(), created=created)

    @workflow.update(name=ids.UPDATE_ACCEPT)
    async def accept(self, request: StoreAcceptance) -> OrderView:
        self._transition(OrderStatus.ACCEPTED, request.actor)
        await self._record()
        return self._state.view()

    @accept.validator
    def _validate_accept(self, request: StoreAcceptance) -> None:
        self._ensure(OrderStatus.ACCEPTED)

    @workflow.update(name=ids.UPDATE_PICK)
    async def pick(self, report: PickReport) -> OrderView:
        self._transition(OrderStatus.PICKED, report.actor)
        self._state.picked = report.lines
        await self._record()
        return self._state.view()

    @pick.validator
    def _validate_pick(self, report: PickReport) -> None:
        self._ensure(OrderStatus.PICKED)
        try:
            check_pick(self._state.current_lines, report.lines)
        except PickMismatch as error:
            raise ApplicationError(
                str(error), error.field, type=OrderError.INVALID_PICK, non_retryable=True
            ) from None

    @workflow.update(name=ids.UPDATE_MARK_READY)
    async def mark_ready(self, report: ReadyReport) -> OrderView:
        self._transition(OrderStatus.READY, report.actor, f"staged at {report.staging_location}")
        now = workflow.now()
        self._state.ready_at = now
        self._state.pickup_deadline = pickup_deadline(now, self._policy.hold_period)
        self._state.staging_location = report.staging_location
        self._state.pickup_code = new_pickup_code(workflow.random().randint(0, 999_999))
        # Decided before the first await: the collection loop plans its messages as soon as we yield.
        send_at = self._urgent_message_time(now)
        if send_at > now:  # quiet hours cover urgent messages too: the collection loop sends it later
            self._ready_notice_at = send_at
        await self._record()
        if not self._ready_notice_at:
            await self._notify(NotificationKind.READY_FOR_PICKUP)
        return self._state.view()

    @mark_ready.validator
    def _validate_mark_ready(self, report: ReadyReport) -> None:
        self._ensure(OrderStatus.READY)

    @workflow.update(name=ids.UPDATE_COLLECT)
    async def collect(self, collection: Collection) -> OrderView:
        """The right pickup code completes the order: stock leaves the store, the payment is captured."""
        if not pickup_code_matches(self._state.pickup_code, collection.pickup_code):
            self._state.failed_pickup_attempts += 1
            if self._state.failed_pickup_attempts == MAX_PICKUP_ATTEMPTS:
                await self._run(ids.ACTIVITY_RAISE_SUPPORT_ALERT, self._pickup_locked_alert())
            raise ApplicationError("wrong pickup code", type=OrderError.WRONG_PICKUP_CODE, non_retryable=True)
        waiting = {line.sku: line.quantity for line in self._waiting()}
        taken = {line.sku: line.quantity for line in collection.lines or self._waiting()}
        left = {sku: waiting[sku] - taken.get(sku, 0) for sku in waiting if waiting[sku] > taken.get(sku, 0)}
        self._transition(
            OrderStatus.COLLECTED,
            collection.actor,
            f"partial: {', '.join(f'{q} × {sku} left' for sku, q in left.items())}" if left else None,
        )
        self._state.collected = [PickedLine(sku=sku, quantity=q) for sku, q in taken.items() if q > 0]
        refund = lines_amount(self._state.current_lines, left)
        if left:  # what the customer leaves goes back on sale and is refunded, before the capture
            await self._run(
                ids.ACTIVITY_RELEASE_LINES,
                PartialRelease(
                    holder_id=self._holder, quantities=left, reason="not collected", tag="uncollected"
                ),
            )
            await self._refund(refund, "uncollected", "lines left at collection")
        await self._run(ids.ACTIVITY_COMMIT_STOCK, self._holder)
        await self._run(ids.ACTIVITY_CAPTURE_PAYMENT, self._payment())
        await self._record()
        await self._notify(NotificationKind.RECEIPT)
        if refund > 0:
            await self._notify(
                NotificationKind.REFUND_ISSUED,
                self._next(NotificationKind.REFUND_ISSUED),
                refund_amount=refund,
            )
        return self._state.view()

    def _waiting(self) -> list[PickedLine]:
        """What waits for the customer at the staging location."""
        if self._state.picked:
            return [line for line in self._state.picked if line.quantity > 0]
        return [PickedLine(sku=line.sku, quantity=line.quantity) for line in self._state.current_lines]

    @collect.validator
    def _validate_collect(self, collection: Collection) -> None:
        self._ensure(OrderStatus.COLLECTED)
        if collection.lines is not None:
            try:
                check_collection(self._waiting(), collection.lines)
            except PickMismatch as error:
                raise ApplicationError(
                    str(error), error.field, type=OrderError.INVALID_PICK, non_retryable=True
                ) from None
        if self._state.failed_pickup_attempts >= MAX_PICKUP_ATTEMPTS:
            raise ApplicationError(
                "collection is locked after too many wrong pickup codes; support can unlock it",
                type=OrderError.PICKUP_LOCKED,
                non_retryable=True,
            )

    @workflow.update(name=ids.UPDATE_UNLOCK_PICKUP)
    async def unlock_pickup(self, action: SupportAction) -> OrderView:
        """Support checked with the customer: they may try their pickup code again."""
        self._state.failed_pickup_attempts = 0
        self._state.version += 1
        await self._run(ids.ACTIVITY_RESOLVE_SUPPORT_ALERT, self._pickup_locked_alert())
        await self._record()
        return self._state.view()

    @unlock_pickup.validator
    def _validate_unlock(self, action: SupportAction) -> None:
        if self._state.failed_pickup_attempts < MAX_PICKUP_ATTEMPTS:
            raise ApplicationError("collection is not locked", type=OrderError.NOT_LOCKED, non_retryable=True)

    @workflow.query(name=ids.QUERY_PICKUP_CODE)
    def pickup_code(self) -> str | None:
        """The code, for the customer's own tracking page, while the order waits for them."""
        return self._state.pickup_code if self._status is OrderStatus.READY else None

    def _pickup_locked_alert(self) -> SupportAlert:
        locks = self._state.failed_pickup_attempts // MAX_PICKUP_ATTEMPTS
        return SupportAlert(
            order_id=self._state.order_id,
            kind="pickup_locked",
            detail=f"{MAX_PICKUP_ATTEMPTS} wrong pickup codes at {self._state.placement.store_id}",
            key=f"{self._state.order_id}:pickup_locked:{locks}",
        )

    @workflow.update(name=ids.UPDATE_CANCEL)
    async def cancel(self, cancellation: Cancellation) -> OrderView:
        """Cancel before collection; answer once stock is released and the payment voided."""
        self._cancel(cancellation)
        await workflow.wait_condition(lambda: self._compensated)
        return self._state.view()

    @cancel.validator
    def _validate_cancel(self, cancellation: Cancellation) -> None:
        self._ensure(OrderStatus.CANCELLED)

    @workflow.update(name=ids.UPDATE_RESEND_NOTIFICATION)
    async def resend_notification(self, request: ResendRequest) -> int:
        """Send the last message of a kind again (e.g. the pickup code); returns its sequence number."""
        sequence = self._sequences[request.kind] + 1
        self._sequences[request.kind] = sequence
        await self._notify(request.kind, sequence)
        return sequence

    @resend_notification.validator
    def _validate_resend(self, request: ResendRequest) -> None:
        if request.kind not in self._sequences:
            raise ApplicationError(
                f"no {request.kind.value} message was sent for this order",
                type=OrderError.NOTHING_TO_RESEND,
                non_retryable=True,
            )
        if request.kind in _WHILE_READY and self._status is not OrderStatus.READY:
            raise _not_allowed(TransitionNotAllowed(self._status, OrderStatus.READY))

    @workflow.update(name=ids.UPDATE_REJECT)
    async def reject(self, rejection: StoreRejection) -> OrderView:
        """The store cannot prepare the order: it moves to another store, or the customer chooses."""
        self._problem = f"rejected by {rejection.actor}: {rejection.reason}"
        await workflow.wait_condition(lambda: self._problem is None)
        return self._state.view()

    @reject.validator
    def _validate_reject(self, rejection: StoreRejection) -> None:
        self._ensure_preparing()

    @workflow.update(name=ids.UPDATE_REPORT_SHORT_PICK)
    async def report_short_pick(self, report: ShortPick) -> OrderView:
        """Units missing at picking: the shelf count is corrected where the reason says the stock is not
        there, then the order moves or the customer chooses (per the short-pick policy)."""
        self._problem = "short pick: " + ", ".join(
            f"{line.missing} × {line.sku} {line.reason.value.replace('_', ' ')}" for line in report.lines
        )
        self._state.short = report.lines
        self._state.picked = after_short_pick(self._state.current_lines, report.lines)
        self._state.version += 1
        corrections = stock_corrections(report.lines)
        if corrections:
            await self._run(
                ids.ACTIVITY_WRITE_OFF_STOCK,
                StockWriteOff(store_id=self._state.store_id, holder_id=self._holder, lines=corrections),
            )
        await workflow.wait_condition(lambda: self._problem is None)
        return self._state.view()

    @report_short_pick.validator
    def _validate_short_pick(self, report: ShortPick) -> None:
        self._ensure_preparing(OrderStatus.ACCEPTED)
        try:
            check_short_pick(self._state.current_lines, report.lines)
        except PickMismatch as error:
            raise ApplicationError(
                str(error), error.field, type=OrderError.INVALID_PICK, non_retryable=True
            ) from None

    @workflow.update(name=ids.UPDATE_CHOOSE)
    async def choose(self, answer: CustomerChoice) -> OrderView:
        """The customer's answer to a choice request."""
        self._answer = answer
        await workflow.wait_condition(lambda: self._status is not OrderStatus.AWAITING_CUSTOMER)
        return self._state.view()

    @choose.validator
    def _validate_choose(self, answer: CustomerChoice) -> None:
        choice = self._state.choice
        if self._status is not OrderStatus.AWAITING_CUSTOMER or choice is None or self._answer is not None:
            raise ApplicationError(
                f"order is {self._status.value}; there is no choice to make",
                self._status.value,
                type=OrderError.TRANSITION,
                non_retryable=True,
            )
        problem = _choice_problem(answer, choice, self._state.placement.delivery_address is not None)
        if problem:
            raise ApplicationError(problem[1], problem[0], type=OrderError.INVALID_CHOICE, non_retryable=True)

    def _ensure_preparing(self, *statuses: OrderStatus) -> None:
        allowed = statuses or tuple(IN_PREPARATION)
        if self._status not in allowed:
            raise ApplicationError(
                f"order is {self._status.value}; only an order in preparation can be "
                + ("short-picked" if statuses else "rejected"),
                self._status.value,
                type=OrderError.TRANSITION,
                non_retryable=True,
            )
        if self._problem is not None or not self._routing:
            raise ApplicationError(
                "the order is already being moved on; try again in a moment",
                type=OrderError.EXCEPTION_PENDING,
                non_retryable=True,
            )

    @workflow.signal(name=ids.SIGNAL_STOCK_AT_RISK)
    async def stock_at_risk(self, risk: StockAtRisk) -> None:
        """The shelf no longer covers this order's reservation: flag it until it is dealt with."""
        if self._status in _GONE_FROM_STORE or any(r.sku == risk.sku for r in self._state.stock_at_risk):
            return
        if risk.store_id != self._state.store_id:  # about a store this order already left
            return
        self._state.stock_at_risk.append(risk)
        self._state.version += 1
        self._publish()
        # Before picking starts the order moves to a store that has the stock; later, staff decide.
        if self._routing and self._problem is None and self._status in _BEFORE_PICKING:
            self._problem = f"stock at risk: {risk.sku} short by {risk.short_by} at {risk.store_id}"
        await self._record()

    @workflow.signal(name=ids.SIGNAL_CANCEL)
    def cancel_order(self, cancellation: Cancellation) -> None:
        """The same cancellation, for the Temporal UI and `temporal workflow signal`."""
        if can_cancel(self._status):
            self._cancel(cancellation)
        else:
            workflow.logger.warning("cancellation ignored: order is %s", self._status.value)

    # ---- steps --------------------------------------------------------------------------------

    async def _reserve(self) -> bool:
        """Reserve every line at the pickup store, or none; authorise the payment for what is held.
        When that store cannot, nearby stores that can are offered (and taken, if the channel allowed)."""
        placement = self._state.placement
        self._state.store = await self._run(
            ids.ACTIVITY_LOAD_STORE, placement.store_id, result_type=StoreProfile
        )
        if self._routing:
            self._state.origin = self._state.store
        if self._status is not OrderStatus.RECEIVED:  # cancelled before anything was held
            return False
        # A store closed or frozen for new orders takes none: the customer is offered the others.
        closed = self._routing and self._state.store.routing is not RoutingState.OPEN
        if closed:
            outcome = ReservationOutcome(reserved=False)
        else:
            outcome = await self._reserve_at(placement.store_id, self._holder)
        if self._status is not OrderStatus.RECEIVED:  # cancelled while we reserved
            return False
        if not outcome.reserved:
            self._state.missing = outcome.missing
            if not (self._routing and await self._reserve_alternative()):
                return await self._refuse(outcome)
            if self._status is not OrderStatus.RECEIVED:
                return False
        await self._run(ids.ACTIVITY_AUTHORIZE_PAYMENT, self._payment())
        store = self._state.store
        assert store
        if self._routing:
            self._start_sla(store)
        else:
            self._state.ready_by = ready_by(
                workflow.now(), self._policy.preparation_promise, store.opening_hours, store.timezone
            )
        moved = store.id != placement.store_id
        self._transition(
            OrderStatus.RESERVED,
            SYSTEM,
            f"at {store.id}: {self._state.routing[-1].why}" if moved and self._state.routing else None,
        )
        await self._record()
        self._intake_answered = True
        return True

    async def _reserve_at(
        self, store_id: str, holder: str, lines: list[OrderLine] | None = None
    ) -> ReservationOutcome:
        outcome: ReservationOutcome = await self._run(
            ids.ACTIVITY_RESERVE_STOCK,
            ReservationRequest(
                order_id=holder,
                store_id=store_id,
                lines=lines or self._state.current_lines,
                from_hold=self._state.placement.hold_id
                if store_id == self._state.placement.store_id
                else None,
            ),
            result_type=ReservationOutcome,
        )
        return outcome

    async def _reserve_alternative(self) -> bool:
        """Record the nearby stores that could serve the basket; take the best one if the channel allowed."""
        decision = await self._route(
            "the chosen store cannot serve the basket", radius_km=self._policy.routing.offer_distance_km
        )
        self._state.alternatives = offers(decision, self._policy.routing.alternatives)
        if not self._state.placement.accept_alternative:
            return False
        for candidate in offers(decision, self._policy.routing.alternatives):
            outcome = await self._reserve_at(candidate.store_id, self._holder)
            if outcome.reserved:
                self._state.store = self._stores[candidate.store_id]
                self._state.missing = []
                return True
        return False

    async def _refuse(self, outcome: ReservationOutcome) -> bool:
        short = ", ".join(f"{line.sku} ({line.available} of {line.requested})" for line in outcome.missing)
        store = self._state.store
        if outcome.missing or store is None:
            reason = f"insufficient stock: {short}"
        else:
            reason = f"{store.id} takes no new orders ({store.routing.value})"
        if self._state.routing:
            reason += f"; {len(self._state.routing[-1].alternatives)} other store(s) can serve it"
        self._transition(OrderStatus.REJECTED, SYSTEM, reason)
        await self._record()
        self._intake_answered = True
        return False

    # ---- preparation: SLA timers and exceptions ---------------------------------------------------

    async def _prepare(self) -> None:
        """The store prepares the order within its SLA; a breach, a rejection, a short pick or stock at
        risk moves it to another store or lets the customer choose. Ends ready, finished or shipped."""
        while True:
            if self._status in IN_PREPARATION:
                problem = await self._watch_preparation()
                if problem:
                    await self._escalate(problem)
                    self._problem = None
            elif self._status is OrderStatus.AWAITING_CUSTOMER:
                await self._await_choice()
            else:
                return

    async def _watch_preparation(self) -> str | None:
        """Wait for the store through both deadlines; the reason to escalate, or None once it moved on."""
        sla = self._state.sla or self._start_sla(self._state.store)  # type: ignore[arg-type]
        moved_on = lambda: self._problem is not None or self._status not in IN_PREPARATION  # noqa: E731
        accepted = lambda: moved_on() or self._status is not OrderStatus.RESERVED  # noqa: E731
        if not await self._within_sla(accepted, sla.accept_at_risk, sla.accept_by, "accept"):
            return f"not accepted by {self._local(sla.accept_by)} (SLA breached)"
        if not await self._within_sla(moved_on, sla.ready_at_risk, sla.ready_by, "ready"):
            return f"not ready by {self._local(sla.ready_by)} (SLA breached)"
        return self._problem

    async def _within_sla(
        self, done: Callable[[], bool], at_risk: datetime, due: datetime, step: str
    ) -> bool:
        """True when `done` comes before `due`; at `at_risk` the store is reminded and the order flagged."""
        if await self._wait_until(done, until=at_risk):
            return True
        await self._flag_sla_at_risk(step, due)
        kept = await self._wait_until(done, until=due)
        if kept and self._state.sla_at_risk and self._status in IN_PREPARATION:
            self._state.sla_at_risk = False
            self._state.version += 1
            self._publish()
            await self._record()
        return kept

    async def _flag_sla_at_risk(self, step: str, due: datetime) -> None:
        store = self._state.store
        assert store
        self._state.sla_at_risk = True
        self._state.version += 1
        self._publish()
        await self._record()
        reminder = StoreReminder(
            order_id=self._state.order_id,
            channel_order_id=self._state.placement.channel_order_id,
            store=store,
            step=step,
            due=due,
            sequence=self._routes,
        )
        await workflow.execute_activity(
            ids.ACTIVITY_REMIND_STORE,
            reminder,
            start_to_close_timeout=NOTIFICATION_TIMEOUT,
            retry_policy=NOTIFICATION_RETRY,
        )

    async def _escalate(self, reason: str) -> None:
        """Move the order (or, after a short pick and by policy, its missing lines) to the best store within
        reach; otherwise ask the customer."""
        short_pick, policy = bool(self._state.short), self._policy.short_pick
        if short_pick and policy is ShortPickPolicy.MISSING_LINES and self._found_something():
            if await self._split(reason) or self._status not in IN_PREPARATION:
                return
            await self._ask_customer(reason)
            return
        if not short_pick or policy is not ShortPickPolicy.ASK_CUSTOMER:
            decision = await self._route(reason, radius_km=self._policy.routing.max_distance_km)
            for candidate in offers(decision, self._policy.routing.alternatives):
                why = why_chosen(decision, candidate.store_id)
                if await self._move_to(candidate.store_id, f"{reason} ({why})"):
                    return
                if self._status not in IN_PREPARATION:
                    return
        if self._status in IN_PREPARATION:
            await self._ask_customer(reason)

    async def _move_to(self, store_id: str, reason: str) -> bool:
        """Reserve at the new store first, then release the old one: the customer is never left with
        nothing held. False when the new store's stock went meanwhile."""
        holder = ids.reservation_holder(self._state.order_id, self._routes + 1)
        outcome = await self._reserve_at(store_id, holder)
        if not outcome.reserved:
            return False
        if self._status not in (*IN_PREPARATION, OrderStatus.AWAITING_CUSTOMER):  # cancelled meanwhile
            await self._run(ids.ACTIVITY_RELEASE_STOCK, holder)
            return True
        previous_holder, previous = self._holder, self._state.store
        self._state.previous_stores.append(self._state.store_id)
        self._state.store = self._stores[store_id]
        await self._run(ids.ACTIVITY_RELEASE_STOCK, previous_holder)
        self._state.picked, self._state.short, self._state.stock_at_risk = [], [], []
        self._state.choice, self._state.sla_at_risk = None, False
        self._start_sla(self._state.store)
        self._transition(
            OrderStatus.RESERVED,
            SYSTEM,
            f"re-routed from {previous.id if previous else '?'} to {store_id}: {reason}",
        )
        await self._record()
        await self._notify(
            NotificationKind.REROUTED, self._next(NotificationKind.REROUTED), previous_store=previous
        )
        return True

    def _found_something(self) -> bool:
        return any(line.quantity > 0 for line in self._state.picked)

    async def _split(self, reason: str) -> bool:
        """Keep what the store found; the best store within reach that has the rest prepares it as a split
        order (its own workflow, pickup code and payment). False when no store can."""
        lines = self._state.current_lines
        moved = missing_lines(lines, self._state.picked)
        part = len(self._state.splits) + 2
        split_id = ids.split_order_id(self._state.order_id, part)
        decision = await self._route(reason, radius_km=self._policy.routing.max_distance_km, lines=moved)
        for candidate in offers(decision, self._policy.routing.alternatives):
            # Reserved under the split order's own holder id: its intake finds the units already held.
            outcome = await self._reserve_at(candidate.store_id, split_id, moved)
            if outcome.reserved:
                break
        else:
            return False
        if self._status not in IN_PREPARATION:  # cancelled meanwhile
            await self._run(ids.ACTIVITY_RELEASE_STOCK, split_id)
            return True
        store, here = self._stores[candidate.store_id], self._state.store
        assert here
        # The moved lines' share of the hold is released here and authorised again by the split order.
        await self._drop_missing(
            {line.sku: line.quantity for line in moved},
            release_reason=f"moved to {split_id}",
            tag=f"split-{part}",
            refund_key=f"split-{part}",
            refund_reason=f"lines moved to split order {split_id}",
            split=True,
        )
        self._state.splits = [*self._state.splits, split_id]
        moved_text = ", ".join(f"{line.quantity} × {line.sku}" for line in moved)
        why = why_chosen(decision, store.id)
        self._transition(
            OrderStatus.PICKED, SYSTEM, f"{moved_text} split off to {split_id} at {store.id} ({why})"
        )
        await self._record()
        placement = self._state.placement.model_copy(
            update={"store_id": store.id, "lines": moved, "hold_id": None, "accept_alternative": None}
        )
        await workflow.start_child_workflow(
            ids.WORKFLOW_ORDER,
            OrderInput(
                placement=placement,
                policy=self._policy,
                split_from=SplitOrigin(order_id=self._state.order_id, part=part, store=here, reason=reason),
            ),
            id=split_id,
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
        return True

    async def _ask_customer(self, reason: str) -> None:
        """No store within reach can take it unasked: offer what is possible, until a deadline."""
        lines = self._state.current_lines
        wider = await self._route(reason, radius_km=self._policy.routing.offer_distance_km)
        stores = offers(wider, CHOICE_STORE_LIMIT)
        shipping = await self._run(
            ids.ACTIVITY_FIND_STORES,
            StoreSearch(skus=[line.sku for line in lines]),
            result_type=list[RoutingCandidate],
        )
        ships = choose_ship_from(lines, shipping, self._state.store) is not None
        available = any(line.quantity > 0 for line in self._state.picked) and bool(self._state.short)
        options = choice_options(other_stores=bool(stores), can_ship=ships, something_available=available)
        if self._status not in IN_PREPARATION:
            return
        default = default_choice(
            self._policy, options, has_address=self._state.placement.delivery_address is not None
        )
        self._state.choice = ChoiceRequest(
            reason=reason,
            options=options,
            stores=stores,
            deadline=workflow.now() + self._policy.choice_window,
            default=default,
        )
        self._state.sla_at_risk = False
        self._transition(OrderStatus.AWAITING_CUSTOMER, SYSTEM, reason)
        await self._record()
        await self._notify(NotificationKind.CHOICE_REQUESTED, self._next(NotificationKind.CHOICE_REQUESTED))

    async def _await_choice(self) -> None:
        """The customer's answer, or the default at the deadline."""
        choice = self._state.choice
        assert choice
        answered = lambda: self._answer is not None or self._status is not OrderStatus.AWAITING_CUSTOMER  # noqa: E731
        if not await self._wait_until(answered, until=choice.deadline):
            self._answer = CustomerChoice(
                option=choice.default,
                store_id=choice.stores[0].store_id if choice.stores else None,
                actor=SYSTEM,
            )
        if self._status is not OrderStatus.AWAITING_CUSTOMER:
            return
        answer, self._answer = self._answer, None
        assert answer
        await self._apply_choice(answer, choice)

    async def _apply_choice(self, answer: CustomerChoice, choice: ChoiceRequest) -> None:
        how = "no answer by the deadline: " if answer.actor == SYSTEM else ""
        if answer.option is ChoiceOption.OTHER_STORE and answer.store_id:
            preferred = [answer.store_id] + [
                s.store_id for s in choice.stores if s.store_id != answer.store_id
            ]
            for store_id in preferred:
                if await self._move_to(store_id, f"{how}{answer.actor} chose {store_id}"):
                    return
            self._transition(OrderStatus.CANCELLED, SYSTEM, "the chosen stores no longer have the stock")
        elif answer.option is ChoiceOption.COLLECT_AVAILABLE:
            await self._collect_available(f"{how}{answer.actor} will collect what is there")
        elif answer.option is ChoiceOption.HOME_DELIVERY:
            await self._deliver(answer)
        else:
            self._transition(OrderStatus.CANCELLED, answer.actor, f"{how}refund chosen: {choice.reason}")

    async def _collect_available(self, reason: str) -> None:
        """Keep what the store has, release and refund the missing units, and let the store finish."""
        kept = {line.sku: line.quantity for line in self._state.picked}
        refund = await self._drop_missing(
            {line.sku: line.quantity - kept.get(line.sku, 0) for line in self._state.current_lines},
            release_reason="short pick: missing lines",
            tag="short-pick",
            refund_key=f"short-pick-{self._routes}",
            refund_reason="missing lines",
        )
        self._state.choice = None
        self._start_sla(self._state.store)  # type: ignore[arg-type]
        self._transition(OrderStatus.PICKED, SYSTEM, reason)
        await self._record()
        await self._notify(
            NotificationKind.REFUND_ISSUED, self._next(NotificationKind.REFUND_ISSUED), refund_amount=refund
        )

    async def _drop_missing(
        self,
        quantities: dict[str, int],
        *,
        release_reason: str,
        tag: str,
        refund_key: str,
        refund_reason: str,
        split: bool = False,
    ) -> Decimal:
        """The order goes on with what the store found: the units it will not hand over are released
        and their share of the payment given back (or moved, for a split). Returns that amount."""
        lines = self._state.current_lines
        await self._run(
            ids.ACTIVITY_RELEASE_LINES,
            PartialRelease(holder_id=self._holder, quantities=quantities, reason=release_reason, tag=tag),
        )
        amount = lines_amount(lines, quantities)
        await self._refund(amount, refund_key, refund_reason, split=split)
        self._state.lines = remaining_lines(lines, self._state.picked)
        self._state.picked = [line for line in self._state.picked if line.quantity > 0]
        self._state.short = []
        return amount

    async def _deliver(self, answer: CustomerChoice) -> None:
        """Continue as a home delivery (a child workflow): release the store, ship, capture, tell."""
        address = answer.delivery_address or self._state.placement.delivery_address
        assert address
        await self._run(ids.ACTIVITY_RELEASE_STOCK, self._holder)
        self._state.choice = None
        self._transition(
            OrderStatus.IN_DELIVERY, answer.actor, f"home delivery to {address.postcode} {address.city}"
        )
        await self._record()
        outcome: DeliveryOutcome = await workflow.execute_child_workflow(
            ids.WORKFLOW_DELIVERY,
            DeliveryRequest(
                order_id=self._state.order_id,
                lines=self._state.current_lines,
                address=address,
                customer=self._state.placement.customer,
                channel_order_id=self._state.placement.channel_order_id,
                currency=self._state.placement.currency,
                near=self._state.store,
            ),
            id=ids.delivery_workflow_id(self._state.order_id),
            result_type=DeliveryOutcome,
        )
        if outcome.shipment is None:
            self._transition(OrderStatus.CANCELLED, SYSTEM, f"home delivery impossible: {outcome.failure}")
            return
        self._state.shipment = shipment = outcome.shipment
        await self._run(ids.ACTIVITY_CAPTURE_PAYMENT, self._payment())
        self._transition(
            OrderStatus.SHIPPED,
            SYSTEM,
            f"{shipment.carrier} {shipment.tracking_number} from {shipment.ship_from}",
        )
        await self._record()
        await self._notify(NotificationKind.SHIPPED)

    async def _route(
        self, reason: str, *, radius_km: float, lines: list[OrderLine] | None = None
    ) -> RoutingDecision:
        """Score the stores within `radius_km` of the customer's chosen store for `lines` (by default all
        the order still holds); the trace is kept."""
        origin = self._state.origin or self._state.store
        assert origin
        lines = lines or self._state.current_lines
        candidates: list[RoutingCandidate] = await self._run(
            ids.ACTIVITY_FIND_STORES,
            StoreSearch(skus=[line.sku for line in lines], near=origin, radius_km=radius_km),
            result_type=list[RoutingCandidate],
        )
        self._stores = {c.store.id: c.store for c in candidates}
        decision = choose_store(
            lines,
            origin,
            candidates,
            now=workflow.now(),
            promise=self._policy.preparation_promise,
            policy=self._policy.routing,
            reason=reason,
            exclude=self._tried_stores(),
            radius_km=radius_km,
        )
        self._state.routing = [*self._state.routing, decision][-10:]
        self._publish()
        return decision

    def _tried_stores(self) -> frozenset[str]:
        """Stores this order was at: it never goes back to one that failed it."""
        return frozenset({self._state.placement.store_id, self._state.store_id, *self._state.previous_stores})

    def _start_sla(self, store: StoreProfile) -> PreparationSla:
        sla = preparation_sla(workflow.now(), self._policy, store)
        self._state.sla, self._state.ready_by = sla, sla.ready_by
        return sla

    def _local(self, moment: datetime) -> str:
        return local_time(moment, self._timezone)

    async def _refund(self, amount: Decimal, key: str, reason: str, *, split: bool = False) -> None:
        """Give back `amount` of what is held (a split moves it to the split order: not a refund to the
        customer, but the same release of the hold)."""
        if amount <= 0:
            return
        placement = self._state.placement
        await self._run(
            ids.ACTIVITY_REFUND_PAYMENT,
            Refund(
                order_id=self._state.order_id,
                amount=amount,
                currency=placement.currency,
                key=key,
                reason=reason,
            ),
        )
        if split:
            self._state.split_off += amount
        else:
            self._state.refunded += amount

    @property
    def _routes(self) -> int:
        """Re-routes so far: each store's reservation has its own holder id."""
        return len(self._state.previous_stores)

    @property
    def _holder(self) -> str:
        return ids.reservation_holder(self._state.order_id, self._routes)

    async def _await_collection(self) -> None:
        """Hold the order for the customer: the reminder cadence, then expiry at the end of the hold."""
        assert self._state.ready_at and self._state.pickup_deadline
        deadline = self._state.pickup_deadline
        collected_or_cancelled = lambda: self._status is not OrderStatus.READY  # noqa: E731
        for send_at, kind in self._collection_messages(deadline):
            if await self._wait_until(collected_or_cancelled, until=send_at):
                return
            await self._notify(kind)
        if not await self._wait_until(collected_or_cancelled, until=deadline):
            self._transition(OrderStatus.EXPIRED, SYSTEM, "not collected within the hold period")

    def _collection_messages(self, deadline: datetime) -> list[tuple[datetime, NotificationKind]]:
        assert self._state.ready_at
        ready_at = self._state.ready_at
        if not workflow.patched(PATCH_CADENCE):  # orders started before the cadence: one reminder
            remind = reminder_at(ready_at, self._policy.reminder_after_ready, deadline)
            return [(remind, NotificationKind.PICKUP_REMINDER)] if remind else []
        plan = collection_messages(ready_at, deadline, self._policy, self._timezone)
        if self._ready_notice_at:
            plan.insert(0, (self._ready_notice_at, NotificationKind.READY_FOR_PICKUP))
        return plan

    def _urgent_message_time(self, now: datetime) -> datetime:
        if not workflow.patched(PATCH_CADENCE):
            return now
        return urgent_message_time(now, self._policy, self._timezone)

    @property
    def _timezone(self) -> str:
        return self._state.store.timezone if self._state.store else "UTC"

    async def _compensate(self) -> None:
        """Undo what an order holds: stock back on the shelf, payment voided, customer told."""
        await self._run(ids.ACTIVITY_RELEASE_STOCK, self._holder)
        await self._run(ids.ACTIVITY_VOID_PAYMENT, self._payment())
        await self._record()
        kind = (
            NotificationKind.ORDER_EXPIRED
            if self._status is OrderStatus.EXPIRED
            else NotificationKind.ORDER_CANCELLED
        )
        self._intake_answered = True
        await self._notify(kind)
        self._compensated = True

    # ---- helpers --------------------------------------------------------------------------------

    @property
    def _status(self) -> OrderStatus:
        return self._state.status

    def _ensure(self, target: OrderStatus) -> None:
        try:
            ensure_transition(self._status, target)
        except TransitionNotAllowed as error:
            raise _not_allowed(error) from None

    def _transition(self, target: OrderStatus, actor: str, reason: str | None = None) -> None:
        try:
            apply_transition(self._state, target, at=workflow.now(), actor=actor, reason=reason)
        except TransitionNotAllowed as error:
            raise _not_allowed(error) from None
        self._publish()

    def _cancel(self, cancellation: Cancellation) -> None:
        # Compensation runs in the main loop, which also covers a reservation still in flight.
        self._transition(OrderStatus.CANCELLED, cancellation.actor, cancellation.reason)

    def _publish(self) -> None:
        """Keep the Temporal UI current: search attributes for lists, details for the order page."""
        state = self._state
        workflow.upsert_search_attributes(
            [
                ids.SA_ORDER_STATUS.value_set(state.status.value),
                ids.SA_STORE_ID.value_set(state.placement.store_id),
                ids.SA_CHANNEL.value_set(state.placement.channel),
            ]
            + self._at_risk_attribute()
        )
        lines = ", ".join(f"{line.quantity} × {line.sku}" for line in state.placement.lines)
        details = [
            f"**Status:** {state.status.value}",
            f"**Store:** {state.store.name if state.store else state.placement.store_id}",
            f"**Lines:** {lines}",
        ]
        if state.ready_by:
            details.append(f"**Ready by:** {state.ready_by.isoformat()}")
        if state.staging_location:
            details.append(f"**Staging location:** {state.staging_location}")
        if state.pickup_deadline:
            details.append(f"**Collect by:** {state.pickup_deadline.isoformat()}")
        for risk in state.stock_at_risk:
            details.append(f"**Stock at risk:** {risk.sku} short by {risk.short_by} at {risk.store_id}")
        if state.sla and state.status in IN_PREPARATION:
            flag = " (**at risk**)" if state.sla_at_risk else ""
            details.append(f"**Accept by:** {state.sla.accept_by.isoformat()}{flag}")
        if state.choice:
            options = ", ".join(option.value for option in state.choice.options)
            details.append(
                f"**Customer choice:** {options}; default {state.choice.default.value} at "
                f"{state.choice.deadline.isoformat()}"
            )
        if state.routing:
            details.append(
                "**Routing:**\n" + "\n".join(f"- {line.strip()}" for line in trace_lines(state.routing[-1]))
            )
        last = state.timeline[-1]
        details.append(
            f"**Last change:** {last.status.value} by {last.actor}"
            + (f" ({last.reason})" if last.reason else "")
        )
        workflow.set_current_details("\n\n".join(details))

    def _at_risk_attribute(self) -> list[SearchAttributeUpdate]:
        # Orders started before the stock feed existed upsert three attributes; keep their histories valid.
        if not workflow.patched(PATCH_STOCK_AT_RISK):
            return []
        flags = [ids.SA_STOCK_AT_RISK.value_set(bool(self._state.stock_at_risk))]
        if self._routing:
            flags.append(ids.SA_SLA_AT_RISK.value_set(self._state.sla_at_risk))
        return flags

    def _payment(self) -> PaymentRequest:
        """The amount still held for the customer: the order's total less what was refunded."""
        placement = self._state.placement
        return PaymentRequest(
            order_id=self._state.order_id,
            amount=placement.total - self._state.refunded - self._state.split_off,
            currency=placement.currency,
        )

    async def _record(self) -> None:
        await self._run(ids.ACTIVITY_RECORD_ORDER, self._state.view())

    def _next(self, kind: NotificationKind) -> int:
        """The next sequence of a message that may go out more than once (re-routes, refunds, choices)."""
        return self._sequences.get(kind, 0) + 1

    async def _notify(
        self,
        kind: NotificationKind,
        sequence: int = 1,
        *,
        previous_store: StoreProfile | None = None,
        refund_amount: Decimal | None = None,
    ) -> None:
        self._sequences[kind] = max(sequence, self._sequences.get(kind, 0))
        await workflow.execute_activity(
            ids.ACTIVITY_NOTIFY_CUSTOMER,
            notification_for(
                self._state, kind, sequence, previous_store=previous_store, refund_amount=refund_amount
            ),
            start_to_close_timeout=NOTIFICATION_TIMEOUT,
            retry_policy=NOTIFICATION_RETRY,
        )

    async def _run(self, activity: str, arg: Any, *, result_type: type | None = None) -> Any:
        # Database steps are short and hit the worker's own database: local activities spare the
        # server round trips, which is what keeps the channel's synchronous intake answer fast.
        return await workflow.execute_local_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=DATABASE_STEP_TIMEOUT,
            retry_policy=DATABASE_RETRY,
            local_retry_threshold=LOCAL_RETRY_BACKOFF,
        )

    async def _wait_until(self, condition: Callable[[], bool], until: datetime | None = None) -> bool:
        """Wait for `condition`, up to `until`; False when the time came first."""
        if until is None:
            await workflow.wait_condition(condition)
            return True
        timeout = (until - workflow.now()).total_seconds()
        if timeout <= 0:
            return condition()
        try:
            await workflow.wait_condition(condition, timeout=timeout)
            return True
        except TimeoutError:
            return condition()
