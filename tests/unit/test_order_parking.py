"""A step that fails for good parks the order for support, who may cancel it; a step recorded in the same
transaction as the database work that decides it records the view the order will have."""

from datetime import timedelta

import pytest

from domain.commands import Cancellation
from domain.status import OrderStatus
from domain.values import StockAtRisk
from tests.unit.order_builders import AT, RIVOLI, Clock, an_order

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


def test_a_foreseen_reservation_changes_nothing_and_comes_true_as_of_when_it_was_foreseen() -> None:
    clock = Clock()
    order = an_order(OrderStatus.RECEIVED, clock=clock)
    before = order.state.model_copy(deep=True)
    foresight = order.foresee(lambda twin: twin.reserve())
    assert order.state == before
    assert foresight.view.status is OrderStatus.RESERVED and foresight.view.store == RIVOLI
    clock.advance(timedelta(milliseconds=3))  # the transaction took its time
    assert order.come_true(foresight)
    assert order.state.view() == foresight.view and order.state.timeline[-1].at == foresight.at


def test_a_foreseen_step_overtaken_by_another_change_comes_true_but_must_be_recorded_again() -> None:
    order = an_order(OrderStatus.RECEIVED)
    foresight = order.foresee(lambda twin: twin.reserve())
    order.flag_stock_at_risk(StockAtRisk(store_id=RIVOLI.id, sku="TENT-2P", short_by=1, detected_at=AT))
    assert not order.come_true(foresight)
    assert order.status is OrderStatus.RESERVED and order.state.stock_at_risk


def test_a_change_that_overtook_a_foreseen_record_is_numbered_after_it() -> None:
    order = an_order(OrderStatus.RECEIVED)
    foreseen = order.foresee(lambda twin: twin.reserve()).view
    order.cancel(Cancellation(actor="support:ana", reason="customer called"))
    assert order.state.version == foreseen.version  # the same number: the read model would keep the first
    order.recorded_ahead(foreseen)
    assert order.state.version > foreseen.version
