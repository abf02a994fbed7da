"""Which events a step raises, read from the order before and after it; the published schema."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from domain.commands import CustomerCheckIn
from domain.order_event_rules import event_id, events_between, order_event, snapshot
from domain.order_events import OrderEvent, OrderEventType, event_schema
from domain.slots import PickupSlot
from domain.status import OrderStatus
from domain.values import ArrivalStage, PickupPlace
from tests.unit.order_builders import AT, BASTILLE, Clock, an_order

SCHEMA = Path(__file__).parents[2] / "docs" / "events.schema.json"


def test_each_store_step_raises_its_event_with_the_order_after_it() -> None:
    clock = Clock()
    order = an_order(OrderStatus.RESERVED, clock=clock)
    before = order.state.view()
    clock.advance(timedelta(minutes=5))
    order.accept("alice")
    drafts = events_between(before, order.state.view())
    assert [(d.type, d.actor, d.occurred_at) for d in drafts] == [
        (OrderEventType.ACCEPTED, "alice", AT + timedelta(minutes=5))
    ]
    event = order_event(drafts[0], order.state.view(), 7)
    assert event.sequence == 7 and event.order.status is OrderStatus.ACCEPTED
    assert event.channel == "webshop" and event.order.store_id == "paris-rivoli"


def test_a_repeated_or_late_record_raises_nothing() -> None:
    order = an_order(OrderStatus.RESERVED)
    before = order.state.view()
    order.accept("alice")
    after = order.state.view()
    assert events_between(after, after) == []
    assert events_between(after, before) == []


def test_the_first_record_raises_reserved_not_received() -> None:
    order = an_order(OrderStatus.RECEIVED)
    order._transition(OrderStatus.RESERVED, "system")
    assert [d.type for d in events_between(None, order.state.view())] == [OrderEventType.RESERVED]


def test_a_reserved_order_moving_store_is_rerouted_from_and_to() -> None:
    order = an_order(OrderStatus.ACCEPTED, candidates={"paris-bastille": BASTILLE})
    before = order.state.view()
    left = order.reroute_to("paris-bastille")
    order.rerouted("short pick", left)
    (draft,) = events_between(before, order.state.view())
    assert draft.type is OrderEventType.REROUTED
    assert (draft.details.from_store, draft.details.to_store) == ("paris-rivoli", "paris-bastille")


def test_a_reserved_order_moved_before_acceptance_is_rerouted_but_a_check_in_is_a_note() -> None:
    order = an_order(OrderStatus.RESERVED, candidates={"paris-bastille": BASTILLE})
    before = order.state.view()
    left = order.reroute_to("paris-bastille")
    order.rerouted("stock at risk", left)
    moved = order.state.view()
    (draft,) = events_between(before, moved)
    assert draft.type is OrderEventType.REROUTED and draft.details.to_store == "paris-bastille"
    order.check_in(CustomerCheckIn(stage=ArrivalStage.ON_THE_WAY, actor="customer"))
    assert [d.type for d in events_between(moved, order.state.view())] == [OrderEventType.CHECKED_IN]


def test_exits_and_delivery_raise_their_types() -> None:
    for status, target, expected in [
        (OrderStatus.READY, OrderStatus.EXPIRED, OrderEventType.EXPIRED),
        (OrderStatus.RESERVED, OrderStatus.CANCELLED, OrderEventType.CANCELLED),
        (OrderStatus.AWAITING_CUSTOMER, OrderStatus.IN_DELIVERY, OrderEventType.SWITCHED_TO_DELIVERY),
        (OrderStatus.PICKED, OrderStatus.PARKED, OrderEventType.PARKED),
    ]:
        order = an_order(status)
        before = order.state.view()
        order._transition(target, "system")
        assert [d.type for d in events_between(before, order.state.view())] == [expected]


def test_a_refund_and_a_split_are_events_with_what_they_moved() -> None:
    order = an_order(OrderStatus.PICKED)
    before = order.state.view()
    order.payment_released(Decimal("10.00"))
    order.state.splits.append("order-webshop-A-1-2")
    order.state.version += 1
    drafts = events_between(before, order.state.view())
    assert [(d.type, d.details.refund_amount, d.details.split_orders) for d in drafts] == [
        (OrderEventType.REFUNDED, Decimal("10.00"), []),
        (OrderEventType.SPLIT, None, ["order-webshop-A-1-2"]),
    ]


def test_a_check_in_and_a_slot_are_events_but_naming_a_collector_is_not() -> None:
    order = an_order(OrderStatus.ACCEPTED)
    before = order.state.view()
    order.check_in(CustomerCheckIn(stage=ArrivalStage.HERE, place=PickupPlace.IN_STORE, actor="customer"))
    slot = PickupSlot(starts_at=AT + timedelta(hours=3), ends_at=AT + timedelta(hours=4))
    order.book_slot(slot)
    after = order.state.view()
    assert [d.type for d in events_between(before, after)] == [
        OrderEventType.CHECKED_IN,
        OrderEventType.SLOT_BOOKED,
    ]
    assert snapshot(after).check_in is not None and snapshot(after).pickup_slot is not None


def test_the_same_step_gives_the_same_event_id() -> None:
    assert event_id("order-a", "t3") == event_id("order-a", "t3") != event_id("order-a", "t4")


def test_an_event_leaves_the_customer_and_the_pickup_code_out() -> None:
    order = an_order(OrderStatus.READY, pickup_code="123456")
    body = json.dumps(snapshot(order.state.view()).model_dump(mode="json"))
    assert "camille" not in body.lower() and "123456" not in body and "+336" not in body


def test_the_published_schema_is_the_one_the_models_generate() -> None:
    """docs/events.schema.json: regenerate with `python -m domain.order_events > docs/events.schema.json`."""
    assert json.loads(SCHEMA.read_text()) == event_schema()


def test_an_event_validates_against_its_schema_shape() -> None:
    order = an_order(OrderStatus.RESERVED)
    before = order.state.view()
    order.accept("alice")
    event = order_event(events_between(before, order.state.view())[0], order.state.view(), 1)
    assert OrderEvent.model_validate_json(event.model_dump_json(by_alias=True)) == event


def test_a_step_recorded_ahead_then_overtaken_still_raises_what_happened_instead() -> None:
    """A reservation foreseen and recorded, then a cancellation overtook it: the cancellation is an event
    of its own (not mistaken for the reservation already told)."""
    order = an_order(OrderStatus.RECEIVED)
    foreseen = order.foresee(lambda twin: twin._transition(OrderStatus.RESERVED, "system")).view
    order._transition(OrderStatus.CANCELLED, "customer")
    order.recorded_ahead(foreseen)
    drafts = events_between(foreseen, order.state.view())
    assert [d.type for d in drafts] == [OrderEventType.CANCELLED]
    assert drafts[0].key != events_between(None, foreseen)[0].key
