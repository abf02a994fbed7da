"""The customer on their way, as the Order aggregate rules it: check-in while in preparation or ready, the
curbside clock, who collects, and cancelling from the page only before picking starts."""

from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain.commands import Cancellation, CollectorNaming, CustomerCheckIn
from domain.errors import StepNotAllowed
from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import ArrivalStage, PickupPlace
from tests.unit.order_builders import AT, Clock, an_order

HERE, ON_THE_WAY = ArrivalStage.HERE, ArrivalStage.ON_THE_WAY
CURB = PickupPlace.CURBSIDE


def _at_curb(bay: str = "3") -> CustomerCheckIn:
    return CustomerCheckIn(stage=HERE, place=CURB, car="red Clio", bay=bay)


@pytest.mark.parametrize(
    "status", [OrderStatus.RESERVED, OrderStatus.ACCEPTED, OrderStatus.PICKED, OrderStatus.READY]
)
def test_a_customer_checks_in_while_the_order_is_prepared_or_ready(status: OrderStatus) -> None:
    order = an_order(status)
    order.check_in(CustomerCheckIn(stage=ON_THE_WAY))
    assert order.state.check_in is not None and order.state.check_in.at == AT
    assert order.state.timeline[-1].reason == "checked in: on the way, in store"
    assert order.state.timeline[-1].status is status


@pytest.mark.parametrize(
    "status", [OrderStatus.AWAITING_CUSTOMER, OrderStatus.COLLECTED, OrderStatus.CANCELLED]
)
def test_no_check_in_once_the_order_waits_for_a_choice_or_has_ended(status: OrderStatus) -> None:
    with pytest.raises(StepNotAllowed):
        an_order(status).check_in(CustomerCheckIn(stage=HERE))


def test_curbside_needs_the_car_and_once_there_the_bay() -> None:
    with pytest.raises(ValidationError, match="description of the car"):
        CustomerCheckIn(stage=ON_THE_WAY, place=CURB)
    with pytest.raises(ValidationError, match="which bay"):
        CustomerCheckIn(stage=HERE, place=CURB, car="red Clio")
    assert CustomerCheckIn(stage=ON_THE_WAY, place=CURB, car="red Clio").bay is None


def test_at_the_curb_of_a_ready_order_the_store_has_the_policys_time_to_bring_it_out() -> None:
    order = an_order(OrderStatus.READY, policy=OrderPolicy(curbside_within=timedelta(minutes=7)))
    assert order.check_in(_at_curb()) is True
    assert order.state.check_in and order.state.check_in.bring_out_by == AT + timedelta(minutes=7)
    assert order.curbside_due
    reminder = order.curbside_reminder()
    assert (reminder.step, reminder.due) == ("curbside", AT + timedelta(minutes=7))
    assert order.check_in(_at_curb(bay="4")) is False  # a second "I'm here" moves no clock
    assert order.state.check_in.bring_out_by == AT + timedelta(minutes=7)
    assert order.state.check_in.bay == "4"


def test_at_the_curb_before_ready_the_clock_starts_when_the_order_is_ready() -> None:
    clock = Clock()
    order = an_order(OrderStatus.PICKED, clock=clock)
    assert order.check_in(_at_curb()) is True
    assert order.state.check_in and order.state.check_in.bring_out_by is None
    assert not order.curbside_due
    clock.advance(timedelta(minutes=10))
    order.state.status = OrderStatus.READY
    order.start_curbside_clock()
    assert order.state.check_in.bring_out_by == AT + timedelta(minutes=15)  # default: 5 minutes


def test_someone_else_may_collect_until_the_order_is_collected() -> None:
    order = an_order(OrderStatus.READY)
    order.name_collector(CollectorNaming(name="Jean Dupont"))
    assert order.state.collector == "Jean Dupont"
    assert order.state.view().collector == "Jean Dupont"
    order.name_collector(CollectorNaming(name=None))
    assert order.state.collector is None
    with pytest.raises(StepNotAllowed):
        an_order(OrderStatus.COLLECTED).name_collector(CollectorNaming(name="Jean"))


@pytest.mark.parametrize("status", [OrderStatus.RESERVED, OrderStatus.ACCEPTED])
def test_the_customer_cancels_before_picking_starts(status: OrderStatus) -> None:
    an_order(status).ensure_cancellable(Cancellation(reason="changed my mind", actor="customer"))


@pytest.mark.parametrize("status", [OrderStatus.PICKED, OrderStatus.READY])
def test_once_picked_only_support_cancels(status: OrderStatus) -> None:
    with pytest.raises(StepNotAllowed, match="picking has started"):
        an_order(status).ensure_cancellable(Cancellation(reason="changed my mind", actor="customer"))
    an_order(status).ensure_cancellable(Cancellation(reason="asked by phone"))
