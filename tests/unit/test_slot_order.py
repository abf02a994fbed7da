"""The pickup slot in the order, as the aggregate rules it: the store's ready-by aims at the slot's start,
the hold counts from the slot, and an order past choosing keeps what it has."""

from datetime import timedelta

import pytest

from domain.policy import OrderPolicy
from domain.slots import PickupSlot, aimed_at_slot, hold_starts
from domain.status import OrderStatus
from domain.values import PreparationSla
from tests.unit.order_builders import AT, an_order

SLA = PreparationSla(
    accept_at_risk=AT + timedelta(minutes=20),
    accept_by=AT + timedelta(minutes=30),
    ready_at_risk=AT + timedelta(hours=1, minutes=30),
    ready_by=AT + timedelta(hours=2),
)


def _slot(after: timedelta) -> PickupSlot:
    return PickupSlot(starts_at=AT + after, ends_at=AT + after + timedelta(minutes=30))


def test_a_later_slot_gives_the_store_until_its_start_with_the_same_warning() -> None:
    aimed = aimed_at_slot(SLA, _slot(timedelta(days=1)))
    assert aimed.ready_by == AT + timedelta(days=1)
    assert aimed.ready_by - aimed.ready_at_risk == SLA.ready_by - SLA.ready_at_risk
    assert (aimed.accept_by, aimed.accept_at_risk) == (SLA.accept_by, SLA.accept_at_risk)


def test_a_slot_sooner_than_the_promise_does_not_hurry_the_store() -> None:
    assert aimed_at_slot(SLA, _slot(timedelta(hours=1))) == SLA


def test_the_hold_counts_from_the_slot_when_the_order_is_ready_before_it() -> None:
    slot = _slot(timedelta(hours=5))
    assert hold_starts(AT, slot) == slot.starts_at
    assert hold_starts(AT + timedelta(hours=6), slot) == AT + timedelta(hours=6)
    assert hold_starts(AT, None) == AT


def test_booking_a_slot_moves_the_orders_ready_by_and_notes_it_in_the_timeline() -> None:
    order = an_order(OrderStatus.ACCEPTED, sla=SLA, ready_by=SLA.ready_by)
    slot = _slot(timedelta(days=1))
    assert order.book_slot(slot)
    assert order.state.pickup_slot == slot
    assert (
        order.state.ready_by == slot.starts_at
        and order.state.sla
        and order.state.sla.ready_by == slot.starts_at
    )
    assert (order.state.timeline[-1].reason or "").startswith("pickup slot ")
    assert not order.book_slot(slot)  # the same slot again changes nothing


@pytest.mark.parametrize("status", [OrderStatus.COLLECTED, OrderStatus.CANCELLED, OrderStatus.IN_DELIVERY])
def test_an_order_past_choosing_keeps_no_new_slot(status: OrderStatus) -> None:
    order = an_order(status)
    assert not order.book_slot(_slot(timedelta(days=1)))
    assert order.state.pickup_slot is None


def test_an_order_ready_before_its_slot_is_held_from_the_slot() -> None:
    policy = OrderPolicy()
    slot = _slot(timedelta(days=1))
    order = an_order(OrderStatus.PICKED, policy=policy, pickup_slot=slot)
    order.mark_ready("shelf B3", "store:paris-rivoli", lambda: 123456)
    # the hold's last day counts from the slot; it ends at closing time (23:59 in Paris at Rivoli)
    closing = timedelta(hours=12, minutes=59)  # AT is 11:00 in Paris
    assert order.state.pickup_deadline == slot.starts_at + policy.hold_period + closing
    unslotted = an_order(OrderStatus.PICKED, policy=policy)
    unslotted.mark_ready("shelf B3", "store:paris-rivoli", lambda: 123456)
    assert unslotted.state.pickup_deadline == AT + policy.hold_period + closing


def test_a_changed_slot_aims_the_promise_again_from_before_any_slot() -> None:
    order = an_order(OrderStatus.ACCEPTED, sla=SLA, ready_by=SLA.ready_by)
    order.book_slot(_slot(timedelta(days=1)))
    assert order.book_slot(_slot(timedelta(hours=3)), move_deadlines=True)
    assert order.state.ready_by == AT + timedelta(hours=3) and order.state.deadlines_moved == 1
    assert order.book_slot(_slot(timedelta(hours=1)), move_deadlines=True)  # sooner than the promise
    assert order.state.sla == SLA and order.state.ready_by == SLA.ready_by
    # orders started before the patch kept the later deadline of the first slot
    legacy = an_order(OrderStatus.ACCEPTED, sla=SLA, ready_by=SLA.ready_by)
    legacy.book_slot(_slot(timedelta(days=1)))
    legacy.book_slot(_slot(timedelta(hours=3)))
    assert legacy.state.ready_by == AT + timedelta(days=1) and legacy.state.deadlines_moved == 0


def test_a_changed_slot_moves_a_ready_orders_hold() -> None:
    policy = OrderPolicy()
    first, later = _slot(timedelta(days=1)), _slot(timedelta(days=2))
    order = an_order(OrderStatus.PICKED, policy=policy, pickup_slot=first)
    order.mark_ready("shelf B3", "store:paris-rivoli", lambda: 123456)
    held_until = order.state.pickup_deadline
    assert order.book_slot(later, move_deadlines=True)
    assert order.state.pickup_deadline == order.hold_deadline(later.starts_at)
    assert held_until is not None and order.state.pickup_deadline == held_until + timedelta(days=1)
    assert order.state.deadlines_moved == 1
