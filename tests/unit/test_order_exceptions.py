"""The Order aggregate when preparation goes wrong: rejections, short picks, stock at risk, SLA flags, the
escalation decision, re-routes, splits, dropped lines and the customer's choice."""

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.commands import CustomerChoice, ShortPick, StoreRejection
from domain.decisions import CandidateScore, ChoiceRequest
from domain.errors import ExceptionPending, InvalidChoice, StepNotAllowed
from domain.order import Escalation, Order
from domain.policy import ChoiceOption, OrderPolicy, ShortPickPolicy
from domain.status import OrderStatus
from domain.values import Address, OrderLine, PickedLine, Shipment, ShortLine, ShortReason, StockAtRisk
from tests.unit.order_builders import AT, BASTILLE, DEFENSE, RIVOLI, Changes, Clock, an_order, candidate

STOVE_NOT_FOUND = ShortLine(sku="STOVE-GAS", missing=1, reason=ShortReason.NOT_FOUND)
ADDRESS = Address(line1="5 rue des Lilas", postcode="75020", city="Paris", country="FR")


def _short_picked(policy: OrderPolicy | None = None, line: ShortLine = STOVE_NOT_FOUND) -> Order:
    order = an_order(OrderStatus.ACCEPTED, policy=policy)
    order.report_short_pick(ShortPick(lines=[line], actor="store:paris-rivoli"))
    return order


def _risk(sku: str = "TENT-2P", store_id: str = "paris-rivoli") -> StockAtRisk:
    return StockAtRisk(store_id=store_id, sku=sku, short_by=1, detected_at=AT)


def _offered(*store_ids: str) -> list[CandidateScore]:
    return [CandidateScore(store_id=store_id, distance_km=1.0, score=1.0) for store_id in store_ids]


# ---- what the store and the stock feed report ----------------------------------------------------


def test_a_short_pick_keeps_what_was_found_and_writes_off_only_stock_that_is_not_there() -> None:
    order = an_order(OrderStatus.ACCEPTED)
    damaged = ShortLine(sku="TENT-2P", missing=1, reason=ShortReason.DAMAGED)
    wrong = ShortLine(sku="STOVE-GAS", missing=1, reason=ShortReason.WRONG_ITEM)
    corrections = order.report_short_pick(ShortPick(lines=[damaged, wrong], actor="store:x"))
    assert corrections == [damaged]
    assert order.state.picked == [
        PickedLine(sku="TENT-2P", quantity=0),
        PickedLine(sku="STOVE-GAS", quantity=0),
    ]
    assert order.state.problem == "short pick: 1 × TENT-2P damaged, 1 × STOVE-GAS wrong item"


def test_only_an_accepted_order_can_be_short_picked_and_one_exception_at_a_time() -> None:
    with pytest.raises(StepNotAllowed, match="only an order in preparation can be short-picked") as refused:
        an_order(OrderStatus.RESERVED).ensure_short_pick([STOVE_NOT_FOUND])
    assert refused.value.details == ("reserved",)
    with pytest.raises(ExceptionPending):
        _short_picked().ensure_short_pick([STOVE_NOT_FOUND])
    with pytest.raises(ExceptionPending):  # orders started before exception paths have none
        an_order(OrderStatus.ACCEPTED, routing_enabled=False).ensure_short_pick([STOVE_NOT_FOUND])


def test_a_store_rejection_is_a_problem_to_escalate() -> None:
    order = an_order(OrderStatus.PICKED)
    order.ensure_rejectable()
    order.reject(StoreRejection(reason="staff shortage", actor="store:x"))
    assert order.moved_on and order.state.problem == "rejected by store:x: staff shortage"
    with pytest.raises(StepNotAllowed, match="can be rejected"):
        an_order(OrderStatus.READY).ensure_rejectable()
    order.problem_handled()
    assert not order.moved_on


def test_stock_at_risk_before_picking_moves_the_order_and_is_flagged_once_per_sku() -> None:
    changes = Changes()
    order = an_order(OrderStatus.ACCEPTED, changes=changes)
    assert order.flag_stock_at_risk(_risk())
    assert order.state.problem == "stock at risk: TENT-2P short by 1 at paris-rivoli" and changes.count == 1
    assert not order.flag_stock_at_risk(_risk())
    assert len(order.state.stock_at_risk) == 1


def test_stock_at_risk_after_picking_is_only_flagged_and_other_stores_are_ignored() -> None:
    order = an_order(OrderStatus.PICKED)
    assert not order.flag_stock_at_risk(_risk(store_id="paris-bastille"))
    assert order.flag_stock_at_risk(_risk()) and order.state.problem is None
    assert not an_order(OrderStatus.COLLECTED).flag_stock_at_risk(_risk())
    assert not an_order(OrderStatus.IN_DELIVERY).flag_stock_at_risk(_risk())


# ---- the store's deadlines -----------------------------------------------------------------------


def test_an_sla_at_risk_flags_the_order_and_reminds_the_store_once_per_route() -> None:
    order = an_order(previous_stores=["la-defense"])
    sla = order.preparation_sla()
    reminder = order.flag_sla_at_risk("accept", sla.accept_by)
    assert order.state.sla_at_risk and (reminder.step, reminder.sequence, reminder.store) == (
        "accept",
        1,
        RIVOLI,
    )
    assert order.clear_sla_at_risk() and not order.state.sla_at_risk
    assert not order.clear_sla_at_risk()


def test_an_order_reserved_before_slas_starts_its_sla_when_watched() -> None:
    clock = Clock()
    order = an_order(clock=clock)
    clock.advance(timedelta(minutes=5))
    assert order.preparation_sla().accept_by == AT + timedelta(minutes=35)
    clock.advance(timedelta(minutes=5))
    assert order.preparation_sla().accept_by == AT + timedelta(minutes=35)


# ---- where the order goes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "short", "escalation"),
    [
        (ShortPickPolicy.WHOLE_ORDER, True, Escalation.MOVE),
        (ShortPickPolicy.MISSING_LINES, True, Escalation.SPLIT),
        (ShortPickPolicy.ASK_CUSTOMER, True, Escalation.ASK),
        (ShortPickPolicy.ASK_CUSTOMER, False, Escalation.MOVE),  # a rejection or a breach moves it
    ],
)
def test_the_short_pick_policy_decides_what_an_exception_leads_to(
    policy: ShortPickPolicy, short: bool, escalation: Escalation
) -> None:
    order = (
        _short_picked(OrderPolicy(short_pick=policy))
        if short
        else an_order(policy=OrderPolicy(short_pick=policy))
    )
    assert order.escalation() is escalation


def test_nothing_found_cannot_be_split_the_whole_order_moves() -> None:
    nothing = ShortLine(sku="TENT-2P", missing=1, reason=ShortReason.NOT_FOUND)
    order = an_order(
        OrderStatus.ACCEPTED,
        lines=[("TENT-2P", 1)],
        policy=OrderPolicy(short_pick=ShortPickPolicy.MISSING_LINES),
    )
    order.report_short_pick(ShortPick(lines=[nothing], actor="store:x"))
    assert order.escalation() is Escalation.MOVE


def test_routing_never_goes_back_to_a_store_the_order_was_at_and_keeps_the_last_ten_traces() -> None:
    order = an_order(previous_stores=["paris-bastille"])
    lines = order.state.current_lines
    stock = {"TENT_2P": 5, "STOVE_GAS": 5}
    candidates = [candidate(RIVOLI, **stock), candidate(BASTILLE, **stock), candidate(DEFENSE, **stock)]
    for _ in range(11):
        decision = order.route("rejected", candidates, radius_km=30, lines=lines)
    assert [c.store_id for c in order.stores_to_try(decision)] == ["la-defense"]
    assert len(order.state.routing) == 10 and set(order.state.candidates) == {
        "paris-rivoli",
        "paris-bastille",
        "la-defense",
    }
    assert order.tried_stores == {"paris-rivoli", "paris-bastille"}


def test_a_re_route_reserves_under_a_new_holder_and_starts_over_at_the_new_store() -> None:
    clock = Clock()
    order = _short_picked()
    order.state.candidates = {"paris-bastille": BASTILLE}
    order.state.sla_at_risk = True
    assert order.holder == "order-webshop-A-1" and order.next_holder == "order-webshop-A-1@1"
    clock.advance(timedelta(minutes=10))
    left = order.reroute_to("paris-bastille")
    assert (left.holder, left.store) == ("order-webshop-A-1", RIVOLI)
    assert order.holder == "order-webshop-A-1@1" and "paris-rivoli" in order.tried_stores
    order.rerouted("short pick (paris-bastille: lowest score)", left)
    state = order.state
    assert state.status is OrderStatus.RESERVED and state.store_id == "paris-bastille"
    assert (state.picked, state.short, state.stock_at_risk, state.choice, state.sla_at_risk) == (
        [],
        [],
        [],
        None,
        False,
    )
    assert (
        state.timeline[-1].reason
        == "re-routed from paris-rivoli to paris-bastille: short pick (paris-bastille: lowest score)"
    )
    assert state.timeline[-1].actor == "store:paris-rivoli"  # the associate who reported the short pick


def test_the_associate_who_rejects_is_the_actor_of_the_move_and_the_oms_once_it_is_handled() -> None:
    order = an_order(OrderStatus.RESERVED)
    order.state.candidates = {"paris-bastille": BASTILLE}
    order.reject(StoreRejection(reason="no staff", actor="store:paris-rivoli/associate:Léa"))
    order.rerouted("rejected", order.reroute_to("paris-bastille"))
    assert order.state.timeline[-1].actor == "store:paris-rivoli/associate:Léa"
    order.problem_handled()
    assert order.escalated_by == "system"  # a missed deadline afterwards is the OMS's doing
    choice = order.ask_customer("not accepted in time", [], [])
    assert choice and order.state.timeline[-1].actor == "system"


def test_the_missing_lines_split_off_as_the_next_part_of_the_order() -> None:
    order = _short_picked(OrderPolicy(short_pick=ShortPickPolicy.MISSING_LINES))
    plan = order.split_plan()
    assert (plan.order_id, plan.part) == ("order-webshop-A-1+2", 2)
    assert [(line.sku, line.quantity) for line in plan.lines] == [("STOVE-GAS", 1)]
    placement = order.split_placement(plan, "paris-bastille")
    assert (
        placement.store_id == "paris-bastille" and placement.lines == plan.lines and placement.hold_id is None
    )
    order.drop_missing()
    order.split_off(plan, "paris-bastille", "nearest")
    assert order.status is OrderStatus.PICKED and order.state.splits == ["order-webshop-A-1+2"]
    assert order.state.timeline[-1].actor == "store:paris-rivoli"
    assert (
        order.state.timeline[-1].reason
        == "1 × STOVE-GAS split off to order-webshop-A-1+2 at paris-bastille (nearest)"
    )
    assert order.split_plan().part == 3


def test_dropping_missing_lines_keeps_what_was_found_and_prices_what_goes() -> None:
    order = _short_picked()
    missing = order.missing_units()
    assert missing == {"TENT-2P": 0, "STOVE-GAS": 1} and order.amount_of(missing) == Decimal("10.00")
    order.drop_missing()
    assert order.state.current_lines == [OrderLine(sku="TENT-2P", quantity=1, unit_price=Decimal("10.00"))]
    assert order.state.picked == [PickedLine(sku="TENT-2P", quantity=1)] and order.state.short == []


# ---- the customer's choice -----------------------------------------------------------------------


def test_the_customer_is_offered_what_is_possible_with_the_policys_default() -> None:
    order = _short_picked()
    warehouse = candidate(DEFENSE.model_copy(update={"ships": True}), TENT_2P=9, STOVE_GAS=9)
    choice = order.ask_customer("short pick", _offered("chartres"), [warehouse])
    assert choice.options == [
        ChoiceOption.OTHER_STORE,
        ChoiceOption.HOME_DELIVERY,
        ChoiceOption.COLLECT_AVAILABLE,
        ChoiceOption.CANCEL,
    ]
    assert choice.default is ChoiceOption.COLLECT_AVAILABLE and choice.deadline == AT + timedelta(hours=24)
    assert order.status is OrderStatus.AWAITING_CUSTOMER


def test_without_stock_anywhere_the_customer_can_only_cancel() -> None:
    choice = an_order().ask_customer("rejected", [], [])
    assert choice.options == [ChoiceOption.CANCEL] and choice.default is ChoiceOption.CANCEL


def _asking(option: ChoiceOption = ChoiceOption.CANCEL, **answer: object) -> tuple[Order, CustomerChoice]:
    """An order short of a stove, asking its customer; and an answer."""
    order = _short_picked()
    order.ask_customer("short pick", _offered("chartres", "la-defense"), [])
    return order, CustomerChoice(option=option, **answer)  # type: ignore[arg-type]


def test_an_answer_must_be_one_of_the_options_with_what_it_needs() -> None:
    order, wrong_store = _asking(ChoiceOption.OTHER_STORE, store_id="paris-bastille")
    with pytest.raises(InvalidChoice) as invalid:
        order.ensure_answerable(wrong_store)
    assert invalid.value.details == ("store_id",)
    with pytest.raises(InvalidChoice) as invalid:
        order.ensure_answerable(CustomerChoice(option=ChoiceOption.HOME_DELIVERY))
    assert invalid.value.details == ("option",)
    with pytest.raises(StepNotAllowed, match="there is no choice to make"):
        an_order().ensure_answerable(CustomerChoice(option=ChoiceOption.CANCEL))


def test_home_delivery_needs_an_address() -> None:
    choice = ChoiceRequest(
        reason="r", options=[ChoiceOption.HOME_DELIVERY], deadline=AT, default=ChoiceOption.CANCEL
    )
    order = an_order(OrderStatus.AWAITING_CUSTOMER, choice=choice)
    with pytest.raises(InvalidChoice) as invalid:
        order.ensure_answerable(CustomerChoice(option=ChoiceOption.HOME_DELIVERY))
    assert invalid.value.details == ("delivery_address",)
    order.ensure_answerable(CustomerChoice(option=ChoiceOption.HOME_DELIVERY, delivery_address=ADDRESS))


def test_one_answer_at_a_time_and_the_chosen_store_is_tried_first() -> None:
    order, answer = _asking(ChoiceOption.OTHER_STORE, store_id="la-defense")
    order.ensure_answerable(answer)
    order.answer(answer)
    assert order.answered
    with pytest.raises(StepNotAllowed):
        order.ensure_answerable(answer)
    taken = order.take_answer()
    assert order.stores_chosen(taken, order.state.choice) == ["la-defense", "chartres"]  # type: ignore[arg-type]
    assert order.who_chose(taken) == "customer"


def test_without_an_answer_the_default_applies_by_the_system() -> None:
    order, _ = _asking()
    order.answer_by_default()
    answer = order.take_answer()
    assert (answer.option, answer.store_id, answer.actor) == (
        ChoiceOption.COLLECT_AVAILABLE,
        "chartres",
        "system",
    )
    assert order.who_chose(answer) == "no answer by the deadline: system"


def test_collecting_what_is_there_restarts_the_store_sla_at_picked() -> None:
    order, _ = _asking()
    order.drop_missing()
    order.collect_available("customer will collect what is there")
    assert order.status is OrderStatus.PICKED and order.state.choice is None and order.state.sla


def test_home_delivery_ships_from_elsewhere_or_cancels_when_it_cannot() -> None:
    for shipment in (None, _shipment()):
        order, answer = _asking(ChoiceOption.HOME_DELIVERY, delivery_address=ADDRESS)
        order.switch_to_delivery(answer, order.delivery_address(answer))
        assert order.status is OrderStatus.IN_DELIVERY
        assert order.state.timeline[-1].reason == "home delivery to 75020 Paris"
        if shipment is None:
            order.delivery_failed("no carrier")
            assert order.status is OrderStatus.CANCELLED
            assert order.state.timeline[-1].reason == "home delivery impossible: no carrier"
        else:
            order.shipped(shipment)
            assert order.status is OrderStatus.SHIPPED and order.state.shipment == shipment
            assert order.state.timeline[-1].reason == "Colissimo 6A123 from wh-ile-de-france"


def _shipment() -> Shipment:
    return Shipment(
        order_id="order-webshop-A-1",
        ship_from="wh-ile-de-france",
        carrier="Colissimo",
        service="home",
        tracking_number="6A123",
        cost=Decimal("6.90"),
        currency="EUR",
        promised_days=2,
        lines=[],
    )


def test_a_refund_chosen_cancels_with_the_reason_of_the_choice() -> None:
    order, answer = _asking(ChoiceOption.CANCEL)
    order.refund_chosen(answer, order.state.choice)  # type: ignore[arg-type]
    assert (
        order.status is OrderStatus.CANCELLED
        and order.state.timeline[-1].reason == "refund chosen: short pick"
    )
