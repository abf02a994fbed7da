"""What every step of one order works with: the Order aggregate, and how a step persists it, reserves,
releases and refunds, tells the customer, and waits; and what happens when a step fails for good."""

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.decisions import RoutingCandidate, RoutingDecision
    from domain.errors import OrderRefused
    from domain.notifications import CustomerNotification, NotificationKind
    from domain.order import Order
    from domain.status import OrderStatus
    from domain.values import OrderLine, StoreProfile
    from workflows.activities import (
        NotificationSteps,
        OrderRecordSteps,
        PaymentSteps,
        RoutingSteps,
        StockSteps,
        activity_name,
    )
    from workflows.contracts import (
        OrderInput,
        PaymentRequest,
        Refund,
        ReservationOutcome,
        ReservationRequest,
        StoreSearch,
        SupportAlert,
    )

from workflows import calls
from workflows.order import ops_view
from workflows.order.patches import PATCH_MESSAGES_WITH_STEPS, PATCH_PARKING, patched

Steps = TypeVar("Steps")
Arg = TypeVar("Arg")
Result = TypeVar("Result")
# How an activity fails for good: a local activity raises the last attempt's error itself (an
# ApplicationError, a TimeoutError), a regular activity raises it wrapped in an ActivityError.
FAILED_FOR_GOOD = calls.FAILED_FOR_GOOD
_cause = calls.cause_of


class Parked(Exception):
    """A step failed for good and the order is parked: what the step was doing stops here (the main line
    waits for support, a handler answers with the order as it is)."""


@contextmanager
def refusals() -> Iterator[None]:
    """A step the order refuses fails its update (not the workflow task), under its stable error type."""
    try:
        yield
    except OrderRefused as refusal:
        raise ApplicationError(
            str(refusal), *refusal.details, type=refusal.error, non_retryable=True
        ) from None


class OrderContext:
    """One order's aggregate and the calls its steps share: the read model (`record`), messages,
    reservations and refunds, routing, and waiting on durable timers."""

    def __init__(self, input: OrderInput) -> None:
        self.store_at_the_door = input.store
        # Set by run: orders started before it take one local activity (and transaction) per call.
        self.one_transaction = False
        # Set by run: orders started before it send every message by a regular activity.
        self.local_messages = False
        # Messages leave one after the other, in the order they were asked (orders since local messages:
        # a ready notice sent within its task must not overtake the confirmation's activity).
        self._messages_asked = 0
        self._messages_done = 0
        self.channel_reports: asyncio.Task[None] | None = None  # the last report to the channel, in flight
        if input.carry_on_from:
            self.order = Order.carry_on(
                input.carry_on_from, input.policy, clock=workflow.now, on_change=self.publish
            )
        else:
            self.order = Order.place(
                input.placement,
                input.policy,
                split_from=input.split_from,
                clock=workflow.now,
                on_change=self.publish,
            )

    def publish(self) -> None:
        ops_view.publish(self.order.state, routing=self.order.routing_enabled)

    async def record(self) -> None:
        """The read model catches up with the order (idempotent by version)."""
        await self.database(OrderRecordSteps.record, self.order.state.view())

    # ---- database steps, and when one fails for good ------------------------------------------

    async def database(
        self,
        step: Callable[[Steps, Arg], Awaitable[Result]],
        arg: Arg,
        *,
        summary: str | None = None,
        timeout: timedelta = calls.DATABASE_STEP_TIMEOUT,
    ) -> Result:
        """A database step (`calls.database`). One that fails for good (a failure retries never heal, or
        retries exhausted) parks the order and raises Parked; past parking (collected, ended), support
        is alerted and the step fails as it always did."""
        try:
            return await calls.database(step, arg, summary=summary, timeout=timeout)
        except FAILED_FOR_GOOD as failure:
            if not patched(PATCH_PARKING):  # orders that failed before parking existed
                raise
            if await self._failed_for_good(activity_name(step) or "a database step", failure):
                raise Parked() from failure
            raise

    async def failed_for_good(self, step: str, failure: Exception) -> None:
        """A step other than a database one failed for good (a child workflow): as `database` does,
        for orders since parking; the caller raises."""
        if patched(PATCH_PARKING):
            await self._failed_for_good(step, failure)

    async def _failed_for_good(self, step: str, failure: Exception) -> bool:
        """Park the order if it can be, and tell support: an alert, and the read model. True when
        parked (support may cancel it meanwhile)."""
        order = self.order
        failed = order.step_failed(step, _cause(failure))
        parked = order.status is OrderStatus.PARKED
        workflow.logger.error("%s: %s", order.state.order_id, failed.detail)
        alert = SupportAlert(
            order_id=order.state.order_id, kind=failed.kind, detail=failed.detail, key=failed.key
        )
        await self._telling_support(OrderRecordSteps.raise_support_alert, alert)
        if parked:
            await self._telling_support(OrderRecordSteps.record, order.state.view())
        return parked

    async def _telling_support(self, step: Callable[[Steps, Arg], Awaitable[object]], arg: Arg) -> None:
        """If the database refuses even this, the Temporal UI (status, search attribute, details) is
        where support sees the order."""
        try:
            await calls.database(step, arg)
        except FAILED_FOR_GOOD as failure:
            workflow.logger.error("%s: support not told: %s", self.order.state.order_id, _cause(failure))

    async def notify(
        self,
        kind: NotificationKind,
        *,
        previous_store: StoreProfile | None = None,
        refund_amount: Decimal | None = None,
        answer_first: bool = False,
    ) -> None:
        """Tell the customer. `answer_first`: an update's answer leaves with this workflow task (intake's),
        so the message goes by a regular activity rather than hold that answer until it is sent."""
        message = self.order.message(kind, previous_store=previous_store, refund_amount=refund_amount)
        await self.send(message, answer_first=answer_first)

    async def send(self, message: CustomerNotification, *, answer_first: bool = False) -> None:
        what, summary = _named(message)
        await self.message(
            NotificationSteps.notify_customer, message, what=what, summary=summary, answer_first=answer_first
        )

    async def step_then_tell(
        self,
        kind: NotificationKind,
        step: Callable[[Steps, Arg], Awaitable[bool | None]],
        carrying: Callable[[CustomerNotification], Arg],
        *,
        then: Callable[[], None] = lambda: None,
    ) -> bool:
        """A database step that ends with telling the customer (`kind`), the message sent by the step's
        own local activity once its transaction committed (`carrying` puts it in the step's input): one
        local activity, not two. `then` runs once the step is done, before anything waits on the
        message (a report to the channel, the channel's answer). When the step could not send it (a
        provider down), the message goes on its own as any message does, retried. A step that fails
        sends nothing, and its message is not counted as sent. False, with nothing done: the step may
        not carry it (orders before the patch, or an earlier message still being sent): the caller runs
        the step, then `notify`."""
        if self._messages_done != self._messages_asked or not self.local_messages:
            return False
        if not patched(PATCH_MESSAGES_WITH_STEPS):
            return False
        self._messages_asked += 1  # its turn, and no message before it is in flight
        message = self.order.draft_message(kind)
        what, summary = _named(message)
        named = f"{calls.summary_of(step)}, {summary}"
        try:
            # The step waits on its provider (bounded by the provider's own timeout): a message's time.
            told = await self.database(
                step, carrying(message), summary=named, timeout=calls.NOTIFICATION_TIMEOUT
            )
            self.order.message_sent(message)
            then()
            if not told:
                await self._message(
                    NotificationSteps.notify_customer, message, what=what, summary=summary, local=True
                )
        finally:
            self._messages_done += 1
        return True

    async def message(
        self,
        step: Callable[[Steps, Arg], Awaitable[object]],
        arg: Arg,
        *,
        what: str,
        summary: str | None = None,
        answer_first: bool = False,
    ) -> None:
        """A message (`calls.message`, named `summary` in the UI, else `what`): within the workflow task
        for orders since the patch, unless `answer_first`, and after the messages asked before it (the
        customer reads them in order); one that fails for good is given up and support told: the order
        goes on without it."""
        summary = summary or what
        if not self.local_messages:
            await self._message(step, arg, what=what, summary=summary, local=False)
            return
        turn = self._messages_asked
        self._messages_asked += 1
        if self._messages_done != turn:  # (no wait, and so no yield, when none is still being sent)
            await workflow.wait_condition(lambda: self._messages_done == turn)
        try:
            await self._message(step, arg, what=what, summary=summary, local=not answer_first)
        finally:
            self._messages_done += 1

    async def _message(
        self,
        step: Callable[[Steps, Arg], Awaitable[object]],
        arg: Arg,
        *,
        what: str,
        summary: str,
        local: bool,
    ) -> None:
        try:
            await calls.message(step, arg, summary=summary, local=local)
        except FAILED_FOR_GOOD as failure:
            if not patched(PATCH_PARKING):
                raise
            await self.given_up("message_failed", what, failure)

    async def given_up(self, kind: str, what: str, failure: BaseException) -> None:
        """A step the order does not wait on (a message, a report to the channel) failed for good: support
        is alerted (`kind`), the order goes on."""
        order_id = self.order.state.order_id
        alert = SupportAlert(
            order_id=order_id,
            kind=kind,
            detail=f"{what} never got through: {_cause(failure)}",
            key=f"{order_id}:{kind}:{what}",
        )
        await self._telling_support(OrderRecordSteps.raise_support_alert, alert)

    # ---- stock --------------------------------------------------------------------------------

    def reservation(
        self, store_id: str, holder: str, lines: list[OrderLine] | None = None
    ) -> ReservationRequest:
        """Reserve `lines` (by default all the order holds) at a store, under `holder`; the channel's
        checkout hold converts at the store it was taken at."""
        state = self.order.state
        return ReservationRequest(
            order_id=holder,
            store_id=store_id,
            lines=lines or state.current_lines,
            from_hold=state.placement.hold_id if store_id == state.placement.store_id else None,
        )

    async def reserve(
        self, store_id: str, holder: str, lines: list[OrderLine] | None = None
    ) -> ReservationOutcome:
        return await self.database(StockSteps.reserve, self.reservation(store_id, holder, lines))

    async def release(self, holder: str) -> None:
        await self.database(StockSteps.release, holder)

    async def find_stores(self, search: StoreSearch) -> list[RoutingCandidate]:
        return await self.database(RoutingSteps.find_stores, search)

    async def route(
        self, reason: str, *, radius_km: float, lines: list[OrderLine] | None = None
    ) -> RoutingDecision:
        """Score the stores within `radius_km` of the customer's chosen store for `lines` (by default all
        the order still holds)."""
        order = self.order
        lines = lines or order.state.current_lines
        search = StoreSearch(
            skus=[line.sku for line in lines], near=order.routing_origin, radius_km=radius_km
        )
        return order.route(reason, await self.find_stores(search), radius_km=radius_km, lines=lines)

    # ---- payment ------------------------------------------------------------------------------

    def payment(self) -> PaymentRequest:
        """The amount still held for the customer."""
        state = self.order.state
        return PaymentRequest(
            order_id=state.order_id, amount=self.order.payment_held, currency=state.placement.currency
        )

    async def refund(self, amount: Decimal, key: str, reason: str, *, split: bool = False) -> None:
        """Give back `amount` of what is held (a split moves it to the split order: not a refund to the
        customer, but the same release of the hold)."""
        if amount <= 0:
            return
        state = self.order.state
        refund = Refund(
            order_id=state.order_id, amount=amount, currency=state.placement.currency, key=key, reason=reason
        )
        await self.database(PaymentSteps.refund, refund)
        self.order.payment_released(amount, split=split)

    def give_back(self, amount: Decimal, key: str, reason: str, *, split: bool = False) -> Refund | None:
        """The refund a step writes in its transaction (None for nothing); the hold shrinks now, so the
        order recorded with it and any capture after it count without it."""
        if amount <= 0:
            return None
        state = self.order.state
        self.order.payment_released(amount, split=split)
        return Refund(
            order_id=state.order_id, amount=amount, currency=state.placement.currency, key=key, reason=reason
        )

    # ---- time ---------------------------------------------------------------------------------

    async def wait_until(
        self, condition: Callable[[], bool], until: datetime | None = None, *, timer: str | None = None
    ) -> bool:
        """Wait for `condition`, up to `until` (a durable timer the Temporal UI calls `timer`); False when
        the time came first."""
        if until is None:
            await workflow.wait_condition(condition)
            return True
        timeout = (until - workflow.now()).total_seconds()
        if timeout <= 0:
            return condition()
        try:
            await workflow.wait_condition(condition, timeout=timeout, timeout_summary=timer)
            return True
        except TimeoutError:
            return condition()


def _named(message: CustomerNotification) -> tuple[str, str]:
    """A customer message as support reads it (an alert) and as the Temporal UI names its step."""
    what = f"{message.kind.value} #{message.sequence}"
    return f"the customer's {what}", f"tell the customer: {what}"


def or_deadlines_moved(order: Order, done: Callable[[], bool]) -> Callable[[], bool]:
    """`done`, or the order's deadlines moved (a changed pickup slot) since this was asked."""
    seen = order.state.deadlines_moved
    return lambda: done() or order.state.deadlines_moved != seen
