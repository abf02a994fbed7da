"""One click & collect order, from reservation to collection, expiry or cancellation."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.deadlines import pickup_deadline, ready_by, reminder_at
    from domain.messages import notification_for
    from domain.models import (
        Cancellation,
        Collection,
        IntakeConfirmation,
        IntakeResult,
        NotificationKind,
        OrderInput,
        OrderState,
        OrderView,
        PaymentRequest,
        PickReport,
        ReadyReport,
        ResendRequest,
        ReservationOutcome,
        ReservationRequest,
        StockAtRisk,
        StoreAcceptance,
        StoreProfile,
        SupportAction,
        SupportAlert,
        TimelineEntry,
    )
    from domain.order import PickMismatch, apply_transition, check_pick, new_pickup_code, pickup_code_matches
    from domain.reminders import collection_messages, urgent_message_time
    from domain.status import HOLDS_STOCK, OrderStatus, TransitionNotAllowed, can_cancel, ensure_transition

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
# Messages about collecting: re-sent only while the order waits for the customer.
_WHILE_READY = (
    NotificationKind.READY_FOR_PICKUP,
    NotificationKind.PICKUP_REMINDER,
    NotificationKind.EXPIRY_WARNING,
)
_FINISHED = (OrderStatus.COLLECTED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED)

# Error types the API maps to HTTP answers (api/errors.py).
ERR_TRANSITION = "TransitionNotAllowed"
ERR_INVALID_PICK = "InvalidPick"
ERR_WRONG_PICKUP_CODE = "WrongPickupCode"
ERR_CHANNEL_ORDER_CONFLICT = "ChannelOrderConflict"
ERR_NOTHING_TO_RESEND = "NothingToResend"
ERR_PICKUP_LOCKED = "PickupLocked"
ERR_NOT_LOCKED = "PickupNotLocked"
MAX_PICKUP_ATTEMPTS = 5  # wrong codes before collection locks: six digits cannot be guessed in five tries


def _not_allowed(error: TransitionNotAllowed) -> ApplicationError:
    return ApplicationError(str(error), error.current.value, type=ERR_TRANSITION, non_retryable=True)


@workflow.defn(name=ids.WORKFLOW_ORDER)
class OrderWorkflow:
    @workflow.init
    def __init__(self, input: OrderInput) -> None:
        placement = input.placement
        self._policy = input.policy
        self._state = input.carry_on_from or OrderState(
            order_id=placement.order_id,
            placement=placement,
            status=OrderStatus.RECEIVED,
            timeline=[
                TimelineEntry(
                    at=workflow.now(), status=OrderStatus.RECEIVED, actor=f"channel:{placement.channel}"
                )
            ],
        )
        self._intake_confirmations = 0
        # True once the reservation is decided and recorded in the read model.
        self._intake_answered = self._state.status is not OrderStatus.RECEIVED
        self._compensated = False
        self._ready_notice_at: datetime | None = None  # a ready message held back by quiet hours
        self._sequences: dict[NotificationKind, int] = {}  # last sequence sent per kind, for re-sends

    @workflow.run
    async def run(self, input: OrderInput) -> OrderView:
        self._publish()
        if self._status is OrderStatus.RECEIVED and await self._reserve():
            await self._notify(NotificationKind.ORDER_CONFIRMED)
        if self._status in HOLDS_STOCK:
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
                type=ERR_CHANNEL_ORDER_CONFLICT,
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
            check_pick(self._state.placement.lines, report.lines)
        except PickMismatch as error:
            raise ApplicationError(
                str(error), error.field, type=ERR_INVALID_PICK, non_retryable=True
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
            raise ApplicationError("wrong pickup code", type=ERR_WRONG_PICKUP_CODE, non_retryable=True)
        self._transition(OrderStatus.COLLECTED, collection.actor)
        await self._run(ids.ACTIVITY_COMMIT_STOCK, self._state.order_id)
        await self._run(ids.ACTIVITY_CAPTURE_PAYMENT, self._payment())
        await self._record()
        await self._notify(NotificationKind.RECEIPT)
        return self._state.view()

    @collect.validator
    def _validate_collect(self, collection: Collection) -> None:
        self._ensure(OrderStatus.COLLECTED)
        if self._state.failed_pickup_attempts >= MAX_PICKUP_ATTEMPTS:
            raise ApplicationError(
                "collection is locked after too many wrong pickup codes; support can unlock it",
                type=ERR_PICKUP_LOCKED,
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
            raise ApplicationError("collection is not locked", type=ERR_NOT_LOCKED, non_retryable=True)

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
                type=ERR_NOTHING_TO_RESEND,
                non_retryable=True,
            )
        if request.kind in _WHILE_READY and self._status is not OrderStatus.READY:
            raise _not_allowed(TransitionNotAllowed(self._status, OrderStatus.READY))

    @workflow.signal(name=ids.SIGNAL_STOCK_AT_RISK)
    async def stock_at_risk(self, risk: StockAtRisk) -> None:
        """The shelf no longer covers this order's reservation: flag it until it is dealt with."""
        if self._status in _FINISHED or any(r.sku == risk.sku for r in self._state.stock_at_risk):
            return
        self._state.stock_at_risk.append(risk)
        self._state.version += 1
        self._publish()
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
        """Reserve every line at the pickup store, or none; authorise the payment for what is held."""
        placement = self._state.placement
        self._state.store = await self._run(
            ids.ACTIVITY_LOAD_STORE, placement.store_id, result_type=StoreProfile
        )
        if self._status is not OrderStatus.RECEIVED:  # cancelled before anything was held
            return False
        outcome: ReservationOutcome = await self._run(
            ids.ACTIVITY_RESERVE_STOCK,
            ReservationRequest(
                order_id=self._state.order_id,
                store_id=placement.store_id,
                lines=placement.lines,
                from_hold=placement.hold_id,
            ),
            result_type=ReservationOutcome,
        )
        if self._status is not OrderStatus.RECEIVED:  # cancelled while we reserved
            return False
        if not outcome.reserved:
            self._state.missing = outcome.missing
            short = ", ".join(
                f"{line.sku} ({line.available} of {line.requested})" for line in outcome.missing
            )
            self._transition(OrderStatus.REJECTED, SYSTEM, f"insufficient stock: {short}")
            await self._record()
            self._intake_answered = True
            return False
        await self._run(ids.ACTIVITY_AUTHORIZE_PAYMENT, self._payment())
        store = self._state.store
        self._state.ready_by = ready_by(
            workflow.now(), self._policy.preparation_promise, store.opening_hours, store.timezone
        )
        self._transition(OrderStatus.RESERVED, SYSTEM)
        await self._record()
        self._intake_answered = True
        return True

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
        await self._run(ids.ACTIVITY_RELEASE_STOCK, self._state.order_id)
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
        return [ids.SA_STOCK_AT_RISK.value_set(bool(self._state.stock_at_risk))]

    def _payment(self) -> PaymentRequest:
        placement = self._state.placement
        return PaymentRequest(
            order_id=self._state.order_id, amount=placement.total, currency=placement.currency
        )

    async def _record(self) -> None:
        await self._run(ids.ACTIVITY_RECORD_ORDER, self._state.view())

    async def _notify(self, kind: NotificationKind, sequence: int = 1) -> None:
        self._sequences.setdefault(kind, sequence)
        await workflow.execute_activity(
            ids.ACTIVITY_NOTIFY_CUSTOMER,
            notification_for(self._state, kind, sequence),
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
