"""A step that fails for good parks the order for support, who may cancel it; a step recorded in the same
transaction as the database work that decides it records the view the order will have."""

import pytest

from domain.commands import Cancellation
from domain.status import OrderStatus
from tests.unit.order_builders import RIVOLI, Clock, an_order

FAILURE = "PaymentUnrecordable: the payments ledger cannot record 19999999999.98 EUR"


@pytest.mark.parametrize(
    "status", [OrderStatus.RECEIVED, OrderStatus.RESERVED, OrderStatus.READY, OrderStatus.AWAITING_CUSTOMER]
)
def test_a_step_failed_for_good_parks_the_order_says_why_and_alerts_support(status: OrderStatus) -> None:
    order = an_order(status)
    version = order.state.version
    alert = order.step_failed("reserve_order", FAILURE)
    assert order.status is OrderStatus.PARKED
    last = order.state.timeline[-1]
    assert (last.actor, last.reason) == ("system", f"reserve_order failed for good: {FAILURE}")
    assert alert.kind == "order_parked" and FAILURE in alert.detail and "cancel" in alert.detail
    assert alert.key == f"{order.state.order_id}:order_parked:{version + 1}"
    assert order.state.intake_answered  # a channel waiting for its answer gets it: parked


def test_a_parked_order_can_only_be_cancelled() -> None:
    order = an_order(OrderStatus.RESERVED, problem="rejected by store: no staff")
    order.step_failed("leave_store", FAILURE)
    assert order.state.problem is None  # the exception in hand stops here: support takes over
    assert order.can_cancel
    order.cancel(Cancellation(actor="support:ana", reason="payment cannot be recorded"))
    assert order.status is OrderStatus.CANCELLED


@pytest.mark.parametrize("status", [OrderStatus.COLLECTED, OrderStatus.CANCELLED, OrderStatus.SHIPPED])
def test_an_order_past_parking_stays_as_it_is_and_support_is_told_to_settle_it(status: OrderStatus) -> None:
    order = an_order(status)
    alert = order.step_failed("settle_collection", FAILURE)
    assert order.status is status and alert.kind == "step_failed" and "by hand" in alert.detail


def test_the_view_foreseen_for_a_reservation_is_the_view_once_reserved_and_changes_nothing() -> None:
    clock = Clock()
    order = an_order(OrderStatus.RECEIVED, clock=clock)
    before = order.state.model_copy(deep=True)
    foreseen = order.foresee(lambda twin: twin.reserve())
    assert order.state == before
    order.reserve()
    assert foreseen == order.state.view()
    assert foreseen.status is OrderStatus.RESERVED and foreseen.store == RIVOLI


def test_a_change_that_overtook_a_foreseen_record_is_numbered_after_it() -> None:
    order = an_order(OrderStatus.RECEIVED)
    foreseen = order.foresee(lambda twin: twin.reserve())
    order.cancel(Cancellation(actor="support:ana", reason="customer called"))
    assert order.state.version == foreseen.version  # the same number: the read model would keep the first
    order.recorded_ahead(foreseen)
    assert order.state.version > foreseen.version
