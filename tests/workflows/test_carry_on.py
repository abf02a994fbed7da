"""An order carried on from its recorded state continues where it stopped, with what was in progress:
here a choice put to the customer, its candidate stores, and (once) the customer's answer already given."""

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from domain import ids
from domain.commands import CustomerChoice
from domain.decisions import CandidateScore, ChoiceRequest
from domain.notifications import NotificationKind
from domain.order_state import OrderState
from domain.policy import ChoiceOption, OrderPolicy
from domain.status import OrderStatus
from domain.values import PickedLine, TimelineEntry
from tests.conftest import placement
from tests.workflows.fakes import HOME, STORES, FakeSystems
from tests.workflows.test_exceptions import _send, _until
from tests.workflows.test_pickup_timers import running
from workflows.contracts import OrderInput


async def _awaiting_choice(env: WorkflowEnvironment, answer: CustomerChoice | None = None) -> OrderInput:
    """An order at Rivoli whose store found no stove, asking its customer until tomorrow."""
    order = placement(lines=[("TENT-2P", 1), ("STOVE-GAS", 1)])
    now = await env.get_current_time()
    choice = ChoiceRequest(
        reason="short pick: 1 × STOVE-GAS damaged",
        options=[ChoiceOption.OTHER_STORE, ChoiceOption.CANCEL],
        stores=[CandidateScore(store_id="chartres", distance_km=75.0, score=75.0)],
        deadline=now + timedelta(hours=24),
        default=ChoiceOption.CANCEL,
    )
    state = OrderState(
        order_id=order.order_id,
        placement=order,
        status=OrderStatus.AWAITING_CUSTOMER,
        store=STORES[HOME],
        origin=STORES[HOME],
        picked=[PickedLine(sku="TENT-2P", quantity=1), PickedLine(sku="STOVE-GAS", quantity=0)],
        choice=choice,
        answer=answer,
        candidates={"chartres": STORES["chartres"]},
        sequences={NotificationKind.ORDER_CONFIRMED: 1, NotificationKind.CHOICE_REQUESTED: 1},
        version=4,
        timeline=[TimelineEntry(at=now, status=OrderStatus.AWAITING_CUSTOMER, actor="system")],
    )
    return OrderInput(placement=order, policy=OrderPolicy(), carry_on_from=state)


def _world(order_input: OrderInput) -> FakeSystems:
    fakes = FakeSystems(
        stock={HOME: {"TENT-2P": 4, "STOVE-GAS": 0}, "chartres": {"TENT-2P": 2, "STOVE-GAS": 2}}
    )
    fakes.reserved[order_input.placement.order_id] = (HOME, {"TENT-2P": 1, "STOVE-GAS": 1})
    return fakes


async def test_a_customer_choosing_a_store_offered_before_the_carry_on_moves_the_order_there(
    time_skipping: WorkflowEnvironment,
) -> None:
    order_input = await _awaiting_choice(time_skipping)
    async with running(time_skipping, order_input, _world(order_input)) as (handle, fakes):
        await _send(handle, ids.UPDATE_CHOOSE, CustomerChoice(option="other_store", store_id="chartres"))
        moved = await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)
        assert moved.store_id == "chartres" and moved.previous_stores == [HOME]
        assert fakes.held("chartres") == {"TENT-2P": 1, "STOVE-GAS": 1} and fakes.held(HOME) == {}
        await _until(time_skipping, handle, lambda _: "rerouted" in fakes.kinds())  # sent after
        rerouted = [m for m in fakes.sent if m.kind is NotificationKind.REROUTED]
        assert [m.sequence for m in rerouted] == [1]


async def test_an_answer_given_before_the_carry_on_is_applied(time_skipping: WorkflowEnvironment) -> None:
    answer = CustomerChoice(option=ChoiceOption.OTHER_STORE, store_id="chartres", actor="customer")
    order_input = await _awaiting_choice(time_skipping, answer)
    async with running(time_skipping, order_input, _world(order_input)) as (handle, fakes):
        moved = await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)
    assert moved.store_id == "chartres"
    assert moved.timeline[-1].reason == f"re-routed from {HOME} to chartres: customer chose chartres"
