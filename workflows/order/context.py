"""What every step of one order works with: the Order aggregate, and how a step persists it, reserves,
releases and refunds, tells the customer, and waits."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.decisions import RoutingCandidate, RoutingDecision
    from domain.errors import OrderRefused
    from domain.notifications import CustomerNotification, NotificationKind
    from domain.order import Order
    from domain.values import OrderLine, StoreProfile
    from workflows.activities import (
        NotificationSteps,
        OrderRecordSteps,
        PaymentSteps,
        RoutingSteps,
        StockSteps,
    )
    from workflows.contracts import (
        OrderInput,
        PaymentRequest,
        Refund,
        ReservationOutcome,
        ReservationRequest,
        StoreSearch,
    )

from workflows import calls
from workflows.order import ops_view


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
        await calls.database(OrderRecordSteps.record, self.order.state.view())

    async def notify(
        self,
        kind: NotificationKind,
        *,
        previous_store: StoreProfile | None = None,
        refund_amount: Decimal | None = None,
    ) -> None:
        await self.send(self.order.message(kind, previous_store=previous_store, refund_amount=refund_amount))

    async def send(self, message: CustomerNotification) -> None:
        await calls.message(NotificationSteps.notify_customer, message)

    # ---- stock --------------------------------------------------------------------------------

    async def reserve(
        self, store_id: str, holder: str, lines: list[OrderLine] | None = None
    ) -> ReservationOutcome:
        """Reserve `lines` (by default all the order holds) at a store, under `holder`; the channel's
        checkout hold converts at the store it was taken at."""
        state = self.order.state
        request = ReservationRequest(
            order_id=holder,
            store_id=store_id,
            lines=lines or state.current_lines,
            from_hold=state.placement.hold_id if store_id == state.placement.store_id else None,
        )
        return await calls.database(StockSteps.reserve, request)

    async def release(self, holder: str) -> None:
        await calls.database(StockSteps.release, holder)

    async def find_stores(self, search: StoreSearch) -> list[RoutingCandidate]:
        return await calls.database(RoutingSteps.find_stores, search)

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
        await calls.database(PaymentSteps.refund, refund)
        self.order.payment_released(amount, split=split)

    # ---- time ---------------------------------------------------------------------------------

    async def wait_until(self, condition: Callable[[], bool], until: datetime | None = None) -> bool:
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
