"""The order state machine."""

from datetime import UTC, datetime

import pytest

from domain.order import apply_transition
from domain.order_state import OrderState
from domain.status import (
    PARKABLE,
    TERMINAL,
    TRANSITIONS,
    OrderStatus,
    TransitionNotAllowed,
    can_cancel,
    can_transition,
)
from domain.values import TimelineEntry
from tests.conftest import placement

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _state(status: OrderStatus = OrderStatus.RECEIVED) -> OrderState:
    order = placement("S-1")
    return OrderState(
        order_id=order.order_id,
        placement=order,
        status=status,
        timeline=[TimelineEntry(at=AT, status=status, actor="channel:webshop")],
    )


def test_happy_path_follows_the_store_steps_in_order() -> None:
    path = [
        OrderStatus.RESERVED,
        OrderStatus.ACCEPTED,
        OrderStatus.PICKED,
        OrderStatus.READY,
        OrderStatus.COLLECTED,
    ]
    state = _state()
    for target in path:
        apply_transition(state, target, at=AT, actor="tester")
    assert state.status is OrderStatus.COLLECTED
    assert [entry.status for entry in state.timeline] == [OrderStatus.RECEIVED, *path]
    assert state.version == len(path)


def test_a_step_out_of_order_is_refused_and_changes_nothing() -> None:
    state = _state(OrderStatus.RESERVED)
    with pytest.raises(TransitionNotAllowed) as refused:
        apply_transition(state, OrderStatus.READY, at=AT, actor="store:x")
    assert refused.value.current is OrderStatus.RESERVED
    assert str(refused.value) == "order is reserved; it cannot become ready_for_pickup"
    assert state.status is OrderStatus.RESERVED and len(state.timeline) == 1 and state.version == 0


def test_transition_records_actor_and_reason() -> None:
    state = apply_transition(_state(), OrderStatus.CANCELLED, at=AT, actor="support:ana", reason="duplicate")
    assert state.timeline[-1] == TimelineEntry(
        at=AT, status=OrderStatus.CANCELLED, actor="support:ana", reason="duplicate"
    )


@pytest.mark.parametrize("status", list(OrderStatus))
def test_support_can_cancel_exactly_the_orders_not_yet_finished_nor_handed_to_a_carrier(
    status: OrderStatus,
) -> None:
    assert can_cancel(status) == (status not in TERMINAL and status is not OrderStatus.IN_DELIVERY)
    if status is not OrderStatus.IN_DELIVERY:  # a failed delivery cancels itself
        assert can_cancel(status) == can_transition(status, OrderStatus.CANCELLED)


def test_only_ready_orders_expire_and_finished_orders_go_nowhere() -> None:
    assert [s for s in OrderStatus if can_transition(s, OrderStatus.EXPIRED)] == [OrderStatus.READY]
    assert {
        OrderStatus.COLLECTED,
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
        OrderStatus.REJECTED,
        OrderStatus.SHIPPED,
    } == TERMINAL
    assert all(isinstance(nexts, frozenset) for nexts in TRANSITIONS.values())


@pytest.mark.parametrize("status", [OrderStatus.RESERVED, OrderStatus.ACCEPTED, OrderStatus.PICKED])
def test_an_order_in_preparation_can_be_rerouted_or_handed_to_the_customers_choice(
    status: OrderStatus,
) -> None:
    assert can_transition(status, OrderStatus.RESERVED)
    assert can_transition(status, OrderStatus.AWAITING_CUSTOMER)


def test_a_ready_order_is_no_longer_rerouted() -> None:
    assert not can_transition(OrderStatus.READY, OrderStatus.RESERVED)
    assert not can_transition(OrderStatus.READY, OrderStatus.AWAITING_CUSTOMER)


def test_the_customers_answer_leads_to_another_store_collection_delivery_or_a_refund() -> None:
    assert TRANSITIONS[OrderStatus.AWAITING_CUSTOMER] - {OrderStatus.PARKED} == {
        OrderStatus.RESERVED,
        OrderStatus.PICKED,
        OrderStatus.IN_DELIVERY,
        OrderStatus.CANCELLED,
    }


def test_an_order_still_in_the_works_can_be_parked_and_a_parked_order_only_cancelled() -> None:
    assert {
        OrderStatus.RECEIVED,
        OrderStatus.RESERVED,
        OrderStatus.ACCEPTED,
        OrderStatus.PICKED,
        OrderStatus.READY,
        OrderStatus.AWAITING_CUSTOMER,
    } == PARKABLE
    assert TRANSITIONS[OrderStatus.PARKED] == {OrderStatus.CANCELLED} and can_cancel(OrderStatus.PARKED)
