"""The Order aggregate: intake, the store's steps, collection and its lockout, payment held, messages, and
its state carried whole. Pure and fast: no server, no database."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.commands import Cancellation, Collection, CustomerChoice, HandoverProof, IdType, ProofKind
from domain.decisions import ChoiceRequest, RoutingDecision
from domain.errors import (
    ChannelOrderConflict,
    NothingToResend,
    PickupLocked,
    PickupNotLocked,
    WrongPickupCode,
)
from domain.notifications import NotificationKind
from domain.order import MAX_PICKUP_ATTEMPTS, Order, PickMismatch
from domain.order_state import OrderState, OrderView
from domain.policy import ChoiceOption, OrderPolicy
from domain.status import OrderStatus, TransitionNotAllowed
from domain.values import MissingLine, PickedLine, RoutingState, SplitOrigin
from tests.conftest import placement
from tests.unit.order_builders import AT, BASTILLE, RIVOLI, Changes, Clock, an_order

READY = OrderStatus.READY


def _ready(lines: list[tuple[str, int]] | None = None, **state: Any) -> Order:
    deadline = AT + timedelta(hours=72)
    return an_order(READY, lines=lines, pickup_code="246810", ready_at=AT, pickup_deadline=deadline, **state)


def _collect(code: str = "246810", lines: list[PickedLine] | None = None) -> Collection:
    return Collection(pickup_code=code, actor="store:paris-rivoli", lines=lines)


# ---- intake --------------------------------------------------------------------------------------


def test_a_placed_order_is_received_from_its_channel() -> None:
    order = Order.place(placement("P-1"), OrderPolicy(), clock=Clock())
    assert order.status is OrderStatus.RECEIVED and order.state.order_id == "order-webshop-P-1"
    assert order.state.timeline[0].actor == "channel:webshop" and order.state.timeline[0].at == AT


def test_a_split_order_gets_its_own_id_and_says_where_it_comes_from() -> None:
    origin = SplitOrigin(order_id="order-webshop-P-1", part=2, store=RIVOLI, reason="short pick")
    order = Order.place(placement("P-1"), OrderPolicy(), clock=Clock(), split_from=origin)
    assert order.state.order_id == "order-webshop-P-1+2"
    entry = order.state.timeline[0]
    assert (entry.actor, entry.reason) == ("system", "split from order-webshop-P-1: short pick")


def test_a_repeated_placement_is_not_a_new_order_and_another_under_the_same_id_is_refused() -> None:
    order = an_order(OrderStatus.RECEIVED)
    fingerprint = order.state.placement.fingerprint()
    assert order.confirm_intake(fingerprint) is True
    assert order.confirm_intake(fingerprint) is False
    with pytest.raises(ChannelOrderConflict):
        order.confirm_intake("another placement")


def test_a_closed_store_takes_no_new_orders_once_routing_runs() -> None:
    closed = RIVOLI.model_copy(update={"routing": RoutingState.CLOSED})
    order = an_order(OrderStatus.RECEIVED)
    order.store_found(closed)
    assert not order.store_takes_new_orders and order.state.origin == closed
    legacy = an_order(OrderStatus.RECEIVED, routing_enabled=False, origin=None)
    legacy.store_found(closed)
    assert legacy.store_takes_new_orders and legacy.state.origin is None


def test_reserving_starts_the_store_sla_with_routing_and_only_a_ready_by_without() -> None:
    order = an_order(OrderStatus.RECEIVED)
    order.reserve()
    assert order.status is OrderStatus.RESERVED and order.state.sla
    assert order.state.sla.accept_by == AT + timedelta(minutes=30) and order.state.ready_by == AT + timedelta(
        hours=2
    )
    legacy = an_order(OrderStatus.RECEIVED, routing_enabled=False)
    legacy.reserve()
    assert legacy.state.sla is None and legacy.state.ready_by == AT + timedelta(hours=2)


def test_an_order_reserved_at_a_nearby_store_says_why_it_went_there() -> None:
    decision = RoutingDecision(
        at=AT, reason="r", from_store_id="paris-rivoli", chosen="paris-bastille", why="nearest", candidates=[]
    )
    order = an_order(OrderStatus.RECEIVED, candidates={"paris-bastille": BASTILLE}, routing=[decision])
    order.short_of_stock([MissingLine(sku="TENT-2P", requested=1, available=0)])
    order.take_alternative("paris-bastille")
    order.reserve()
    assert order.state.store_id == "paris-bastille" and order.state.missing == []
    assert order.state.timeline[-1].reason == "at paris-bastille: nearest"


def test_a_refused_order_names_the_missing_lines_or_the_closed_store() -> None:
    short = an_order(OrderStatus.RECEIVED)
    short.short_of_stock([MissingLine(sku="TENT-2P", requested=9, available=5)])
    short.refuse()
    assert short.status is OrderStatus.REJECTED
    assert short.state.timeline[-1].reason == "insufficient stock: TENT-2P (5 of 9)"
    closed = an_order(OrderStatus.RECEIVED, store=RIVOLI.model_copy(update={"routing": RoutingState.FROZEN}))
    closed.refuse()
    assert closed.state.timeline[-1].reason == "paris-rivoli takes no new orders (frozen)"


# ---- the store's steps ---------------------------------------------------------------------------


def test_a_step_out_of_order_is_refused_and_changes_nothing() -> None:
    changes = Changes()
    order = an_order(OrderStatus.RECEIVED, changes=changes)
    with pytest.raises(TransitionNotAllowed) as refused:
        order.accept("store:x")
    assert refused.value.details == ("received",) and refused.value.error == "TransitionNotAllowed"
    assert order.status is OrderStatus.RECEIVED and order.state.version == 0 and changes.count == 0


def test_every_status_change_is_shown_to_ops() -> None:
    changes = Changes()
    order = an_order(changes=changes)
    order.accept("store:x")
    order.pick([PickedLine(sku="TENT-2P", quantity=1), PickedLine(sku="STOVE-GAS", quantity=1)], "store:x")
    assert changes.count == 2 and order.state.version == 2


def test_a_pick_must_be_complete() -> None:
    order = an_order(OrderStatus.ACCEPTED)
    with pytest.raises(PickMismatch) as mismatch:
        order.ensure_pick([PickedLine(sku="TENT-2P", quantity=1)])
    assert mismatch.value.details == ("lines",)


def test_marking_ready_draws_the_pickup_code_and_starts_the_hold_period() -> None:
    order = an_order(OrderStatus.PICKED)
    order.mark_ready("shelf B3", "store:x", lambda: 42)
    state = order.state
    assert (state.status, state.pickup_code, state.staging_location) == (READY, "000042", "shelf B3")
    # 72 hours on, at the store's closing time that day (Rivoli here closes at 23:59, Paris time)
    assert state.ready_at == AT and state.pickup_deadline == AT + timedelta(hours=72, minutes=12 * 60 + 59)


def test_an_order_started_before_store_calendars_is_held_on_the_clock() -> None:
    order = an_order(OrderStatus.PICKED)
    order.calendar_enabled = False
    order.mark_ready("shelf B3", "store:x", lambda: 42)
    assert order.state.pickup_deadline == AT + timedelta(hours=72)


def test_no_pickup_code_is_drawn_for_an_order_that_cannot_be_ready() -> None:
    def draw() -> int:
        raise AssertionError("drawn")

    with pytest.raises(TransitionNotAllowed):
        an_order(OrderStatus.ACCEPTED).mark_ready("shelf B3", "store:x", draw)


def test_quiet_hours_for_urgent_messages_hold_the_ready_message_until_morning() -> None:
    clock = Clock()
    clock.now = AT.replace(hour=21, minute=30)  # 22:30 in Paris
    policy = OrderPolicy(quiet_hours_for_urgent=True)
    order = an_order(OrderStatus.PICKED, policy=policy, clock=clock)
    order.mark_ready("A1", "store:x", lambda: 1)
    assert order.hold_ready_notice(quiet_hours=True)
    assert order.state.ready_notice_at and order.state.ready_notice_at.hour == 7  # 08:00 in Paris
    plan = order.collection_messages(cadence=True)
    assert plan[0] == (order.state.ready_notice_at, NotificationKind.READY_FOR_PICKUP)
    assert not an_order(OrderStatus.PICKED, clock=clock).hold_ready_notice(quiet_hours=True)


def test_orders_started_before_the_cadence_get_one_reminder() -> None:
    order = _ready()
    assert order.collection_messages(cadence=False) == [
        (AT + timedelta(hours=24), NotificationKind.PICKUP_REMINDER)
    ]


# ---- collection ----------------------------------------------------------------------------------


def test_collecting_everything_refunds_nothing() -> None:
    order = _ready()
    handover = order.collect(_collect())
    assert order.status is OrderStatus.COLLECTED and handover.left == {} and handover.refund == 0
    assert order.state.collected == [
        PickedLine(sku="TENT-2P", quantity=1),
        PickedLine(sku="STOVE-GAS", quantity=1),
    ]


def test_the_proof_of_handover_is_kept_with_the_order_and_shown_in_its_view() -> None:
    order = _ready()
    proof = HandoverProof(kind=ProofKind.SIGNATURE, signature="M10 10 L20 25 L30 12")
    order.collect(_collect().model_copy(update={"proof": proof}))
    assert order.state.proof == proof and order.state.view().proof == proof
    recorded = Collection.model_validate({"pickup_code": "246810", "actor": "store:x"})  # older histories
    assert recorded.proof is None


@pytest.mark.parametrize(
    "proof",
    [
        {"kind": "id_check"},  # the document's type is noted
        {"kind": "id_check", "id_type": "passport", "number": "12AB34567"},  # never its number
        {"kind": "id_check", "id_type": "12AB34567"},
        {"kind": "signature"},
        {"kind": "signature", "signature": "<svg onload=alert(1)>"},
        {"kind": "signature", "signature": "M1 1 L2 2 " * 7000},  # over the size limit
        {"kind": "code", "id_type": "passport"},
    ],
)
def test_a_proof_of_handover_is_complete_and_holds_no_id_number(proof: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        HandoverProof.model_validate(proof)
    assert HandoverProof(kind=ProofKind.ID_CHECK, id_type=IdType.PASSPORT).id_type is IdType.PASSPORT
    assert HandoverProof(kind=ProofKind.SIGNATURE, signature="data:image/png;base64,iVBORw0KGgo=")


def test_a_partial_collection_puts_back_and_refunds_what_the_customer_leaves() -> None:
    order = _ready(lines=[("TENT-2P", 1), ("STOVE-GAS", 3)])
    taken = [PickedLine(sku="TENT-2P", quantity=1), PickedLine(sku="STOVE-GAS", quantity=1)]
    handover = order.collect(_collect(lines=taken))
    assert handover.left == {"STOVE-GAS": 2} and handover.refund == Decimal("20.00")
    assert order.state.timeline[-1].reason == "partial: 2 × STOVE-GAS left"


def test_only_what_the_store_found_waits_for_the_customer() -> None:
    order = _ready(picked=[PickedLine(sku="TENT-2P", quantity=1), PickedLine(sku="STOVE-GAS", quantity=0)])
    assert order.waiting == [PickedLine(sku="TENT-2P", quantity=1)]
    with pytest.raises(PickMismatch):
        order.ensure_collectable(_collect(lines=[PickedLine(sku="STOVE-GAS", quantity=1)]))


def test_a_wrong_pickup_code_counts_and_the_fifth_locks_collection() -> None:
    order = _ready()
    for attempt in range(1, MAX_PICKUP_ATTEMPTS + 1):
        with pytest.raises(WrongPickupCode) as wrong:
            order.collect(_collect("000000"))
        assert wrong.value.locked is (attempt == MAX_PICKUP_ATTEMPTS)
    assert order.status is READY and order.collection_locked
    with pytest.raises(PickupLocked):
        order.ensure_collectable(_collect())


def test_each_lockout_raises_its_own_support_alert() -> None:
    order = _ready()
    keys = []
    for _ in range(2):
        for _ in range(MAX_PICKUP_ATTEMPTS):
            with pytest.raises(WrongPickupCode):
                order.collect(_collect("000000"))
        keys.append(order.pickup_lock.key)
        order.ensure_locked()
        order.unlock_pickup()
    assert keys == ["order-webshop-A-1:pickup_locked:1", "order-webshop-A-1:pickup_locked:2"]
    assert order.state.failed_pickup_attempts == 0 and order.pickup_lock.kind == "pickup_locked"


def test_collection_that_is_not_locked_cannot_be_unlocked() -> None:
    with pytest.raises(PickupNotLocked):
        _ready().ensure_locked()


def test_the_pickup_code_is_shown_to_the_customer_only_while_the_order_waits() -> None:
    order = _ready()
    assert order.pickup_code_for_customer == "246810"
    order.expire()
    assert order.pickup_code_for_customer is None
    assert order.state.timeline[-1].reason == "not collected within the hold period"


def test_an_order_can_be_cancelled_until_it_is_collected() -> None:
    order = _ready()
    assert order.can_cancel
    order.collect(_collect())
    assert not order.can_cancel
    with pytest.raises(TransitionNotAllowed):
        order.cancel(Cancellation(reason="too late"))


# ---- payment -------------------------------------------------------------------------------------


def test_the_payment_held_is_the_total_less_refunds_and_what_split_orders_took() -> None:
    order = an_order()
    assert order.payment_held == Decimal("20.00")
    order.payment_released(Decimal("5.00"))
    order.payment_released(Decimal("10.00"), split=True)
    assert order.payment_held == Decimal("5.00")
    assert (order.state.refunded, order.state.split_off) == (Decimal("5.00"), Decimal("10.00"))


# ---- messages ------------------------------------------------------------------------------------


def test_re_routes_refunds_and_choices_each_get_the_next_sequence_other_messages_the_first() -> None:
    order = an_order()
    assert [order.message(NotificationKind.REROUTED).sequence for _ in range(2)] == [1, 2]
    assert order.message(NotificationKind.ORDER_CONFIRMED).sequence == 1
    assert order.message(NotificationKind.REFUND_ISSUED, refund_amount=Decimal("1")).facts.refund_amount == 1


def test_a_resend_goes_under_the_next_sequence_and_only_for_a_message_already_sent() -> None:
    order = _ready()
    with pytest.raises(NothingToResend):
        order.ensure_resendable(NotificationKind.READY_FOR_PICKUP)
    order.message(NotificationKind.READY_FOR_PICKUP)
    order.ensure_resendable(NotificationKind.READY_FOR_PICKUP)
    resent = order.resend(NotificationKind.READY_FOR_PICKUP)
    assert resent.sequence == 2 and resent.facts.pickup_code == "246810"
    assert order.resend(NotificationKind.READY_FOR_PICKUP).sequence == 3


def test_a_drafted_message_counts_as_sent_only_once_its_step_is_done() -> None:
    """A step that sends its own message drafts it first: if the step fails, nothing was sent and a
    resend finds nothing; once it is done, the message counts."""
    order = _ready()
    drafted = order.draft_message(NotificationKind.READY_FOR_PICKUP)
    assert drafted == order.draft_message(NotificationKind.READY_FOR_PICKUP)  # drafting changes nothing
    with pytest.raises(NothingToResend):
        order.ensure_resendable(NotificationKind.READY_FOR_PICKUP)
    assert order.message_sent(drafted) is drafted
    order.ensure_resendable(NotificationKind.READY_FOR_PICKUP)
    assert order.resend(NotificationKind.READY_FOR_PICKUP).sequence == drafted.sequence + 1
    rerouted = order.draft_message(NotificationKind.REROUTED)
    assert rerouted.sequence == 1 and order.message(NotificationKind.REROUTED).sequence == 1


def test_collection_messages_are_not_resent_once_the_order_stopped_waiting() -> None:
    order = _ready()
    order.message(NotificationKind.READY_FOR_PICKUP)
    order.collect(_collect())
    with pytest.raises(TransitionNotAllowed):
        order.ensure_resendable(NotificationKind.READY_FOR_PICKUP)


# ---- the state, whole ----------------------------------------------------------------------------


def test_the_state_carries_everything_in_progress_and_the_view_shows_no_secret() -> None:
    choice = ChoiceRequest(
        reason="short pick", options=[ChoiceOption.OTHER_STORE], deadline=AT, default=ChoiceOption.CANCEL
    )
    order = _ready(
        choice=choice,
        answer=CustomerChoice(option=ChoiceOption.OTHER_STORE, store_id="paris-bastille"),
        candidates={"paris-bastille": BASTILLE},
        problem="stock at risk",
        ready_notice_at=AT,
    )
    order.message(NotificationKind.REROUTED)
    carried = OrderState.model_validate_json(order.state.model_dump_json())
    assert carried == order.state
    assert (
        carried.sequences == {NotificationKind.REROUTED: 1}
        and carried.candidates["paris-bastille"] == BASTILLE
    )
    view = order.state.view()
    assert type(view) is OrderView and not isinstance(order.state, OrderView)
    assert "pickup_code" not in view.model_dump() and "answer" not in view.model_dump()


def test_an_order_carried_on_past_intake_has_answered_its_channel() -> None:
    state = _ready().state
    assert Order.carry_on(state, OrderPolicy(), clock=Clock()).state.intake_answered
    received = an_order(OrderStatus.RECEIVED).state
    assert not Order.carry_on(received, OrderPolicy(), clock=Clock()).state.intake_answered
