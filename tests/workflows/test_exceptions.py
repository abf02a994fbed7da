"""Every exception path on the time-skipping server: SLA breach and at-risk reminders, store rejection,
short picks (re-route, or the customer's choice with each answer and the default), stock at risk, home
delivery and partial collection. Activities are fakes over a small world of stores around Paris.

The test server applies Updates but never answers them, so updates are sent and only their acceptance
awaited (`_send`); the order's state is then read with the query."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from domain import ids
from domain.commands import (
    Cancellation,
    Collection,
    CustomerChoice,
    ReadyReport,
    ShortPick,
    StoreAcceptance,
    StoreRejection,
)
from domain.order_state import OrderView
from domain.policy import ChoiceOption, OrderPolicy, ShortPickPolicy
from domain.status import OrderStatus
from domain.values import Address, PickedLine, ShortLine, StockAtRisk
from tests.conftest import placement
from tests.workflows.fakes import HOME, FakeSystems
from tests.workflows.test_pickup_timers import Handle, _finish, _ready_order, running
from workflows.contracts import OrderInput

pytestmark = pytest.mark.asyncio
STORE = f"store:{HOME}"
ADDRESS = Address(line1="5 rue des Lilas", postcode="75020", city="Paris", country="FR")


async def _send(handle: Handle, update: str, arg: object) -> None:
    await handle.start_update(update, arg, wait_for_stage=WorkflowUpdateStage.ACCEPTED)


async def _state(handle: Handle) -> OrderView:
    return await handle.query(ids.QUERY_STATE, result_type=OrderView)


async def _until(
    env: WorkflowEnvironment,
    handle: Handle,
    check: Callable[[OrderView], bool],
    step: timedelta = timedelta(0),
) -> OrderView:
    """Query until `check` holds (letting `step` of workflow time pass between looks)."""
    for _ in range(200):
        state = await _state(handle)
        if check(state):
            return state
        await env.sleep(step or timedelta(milliseconds=50))
    raise AssertionError(f"never reached; last state {state.status} at {state.store_id}")


def _world(**stock: dict[str, int]) -> FakeSystems:
    return FakeSystems(stock={store_id.replace("_", "-"): units for store_id, units in stock.items()})


def _two_lines() -> OrderInput:
    return OrderInput(placement=placement(lines=[("TENT-2P", 1), ("STOVE-GAS", 1)]))


async def test_store_not_accepting_is_reminded_at_80_percent_then_the_order_moves_at_the_deadline(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = _world(paris_rivoli={"TENT-2P": 5}, paris_bastille={"TENT-2P": 5})
    async with running(time_skipping, OrderInput(placement=placement()), fakes) as (handle, fakes):
        start = (
            (await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)).timeline[-1].at
        )
        await time_skipping.sleep(timedelta(minutes=25))
        flagged = await _state(handle)
        assert flagged.sla_at_risk and flagged.status is OrderStatus.RESERVED
        [reminder] = fakes.reminders
        assert (reminder.step, reminder.store.id) == ("accept", HOME)
        assert timedelta(minutes=24) <= fakes.reminded_at[0] - start < timedelta(minutes=24, seconds=1)
        moved = await _until(
            time_skipping, handle, lambda s: s.store_id == "paris-bastille", timedelta(minutes=1)
        )
        assert moved.status is OrderStatus.RESERVED and not moved.sla_at_risk
        assert moved.previous_stores == [HOME]
        assert (moved.timeline[-1].reason or "").startswith(
            f"re-routed from {HOME} to paris-bastille: not accepted by"
        )
        assert moved.routing[-1].chosen == "paris-bastille"
        assert "(paris-bastille: lowest score" in moved.timeline[-1].reason  # type: ignore[operator]
        assert fakes.held(HOME) == {} and fakes.held("paris-bastille") == {"TENT-2P": 1}
        assert fakes.kinds() == ["order_confirmed", "rerouted"]
        assert fakes.sent[-1].facts.previous_store.id == HOME  # type: ignore[union-attr]
        assert moved.sla and moved.sla.accept_by - moved.timeline[-1].at == timedelta(minutes=30)


async def test_accepted_order_not_ready_is_reminded_at_96_minutes_of_its_two_hours(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, OrderInput(placement=placement())) as (handle, fakes):
        start = (
            (await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)).timeline[-1].at
        )
        await _send(handle, ids.UPDATE_ACCEPT, StoreAcceptance(actor=STORE))
        await _until(time_skipping, handle, lambda s: s.status is OrderStatus.ACCEPTED)
        await time_skipping.sleep(timedelta(minutes=100))
        state = await _state(handle)
    assert [r.step for r in fakes.reminders] == ["ready"]
    assert timedelta(minutes=96) <= fakes.reminded_at[0] - start < timedelta(minutes=96, seconds=1)
    assert state.sla_at_risk and state.status is OrderStatus.ACCEPTED


async def test_store_rejection_moves_the_order_to_the_next_best_store(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = _world(paris_rivoli={"TENT-2P": 5}, paris_bastille={"TENT-2P": 5}, la_defense={"TENT-2P": 5})
    async with running(time_skipping, OrderInput(placement=placement()), fakes) as (handle, fakes):
        await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)
        await _send(handle, ids.UPDATE_REJECT, StoreRejection(reason="staff shortage", actor=STORE))
        moved = await _until(time_skipping, handle, lambda s: s.store_id != HOME)
        assert moved.store_id == "paris-bastille"  # nearer than La Défense
        scores = {c.store_id: c.score for c in moved.routing[-1].candidates}
        assert scores["paris-bastille"] < scores["la-defense"]  # type: ignore[operator]
        assert "rejected by store:paris-rivoli: staff shortage" in moved.timeline[-1].reason  # type: ignore[operator]
        assert fakes.held(HOME) == {}


async def test_short_pick_corrects_stock_and_moves_the_whole_order(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = _world(paris_rivoli={"TENT-2P": 5, "STOVE-GAS": 1}, paris_bastille={"TENT-2P": 3, "STOVE-GAS": 3})
    async with running(time_skipping, _two_lines(), fakes) as (handle, fakes):
        await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)
        await _send(handle, ids.UPDATE_ACCEPT, StoreAcceptance(actor=STORE))
        await _until(time_skipping, handle, lambda s: s.status is OrderStatus.ACCEPTED)
        short = ShortLine(sku="STOVE-GAS", missing=1, reason="not_found")
        await _send(handle, ids.UPDATE_REPORT_SHORT_PICK, ShortPick(lines=[short], actor=STORE))
        moved = await _until(time_skipping, handle, lambda s: s.store_id == "paris-bastille")
        assert fakes.written_off == [(HOME, "STOVE-GAS", 1)]
        assert moved.status is OrderStatus.RESERVED and moved.short == [] and moved.picked == []
        assert fakes.held("paris-bastille") == {"TENT-2P": 1, "STOVE-GAS": 1}
        assert fakes.stock[HOME] == {"TENT-2P": 5, "STOVE-GAS": 0}  # the tent is back on sale, the stove gone
        assert fakes.kinds()[-1] == "rerouted"


async def test_short_pick_with_the_missing_lines_policy_splits_them_off_to_a_store_that_has_them(
    time_skipping: WorkflowEnvironment,
) -> None:
    # Bastille has stoves but no tent: the whole order cannot move there, the missing stove can.
    fakes = _world(paris_rivoli={"TENT-2P": 5, "STOVE-GAS": 1}, paris_bastille={"STOVE-GAS": 3})
    order = _two_lines()
    order.policy = OrderPolicy(short_pick=ShortPickPolicy.MISSING_LINES)
    split_id = ids.split_order_id(order.placement.order_id, 2)
    async with running(time_skipping, order, fakes) as (handle, fakes):
        split = time_skipping.client.get_workflow_handle(split_id, result_type=OrderView)
        try:
            await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)
            await _send(handle, ids.UPDATE_ACCEPT, StoreAcceptance(actor=STORE))
            await _until(time_skipping, handle, lambda s: s.status is OrderStatus.ACCEPTED)
            short = ShortLine(sku="STOVE-GAS", missing=1, reason="not_found")
            await _send(handle, ids.UPDATE_REPORT_SHORT_PICK, ShortPick(lines=[short], actor=STORE))
            kept = await _until(time_skipping, handle, lambda s: bool(s.splits))
            assert kept.status is OrderStatus.PICKED and kept.store_id == HOME
            assert [(line.sku, line.quantity) for line in kept.current_lines] == [("TENT-2P", 1)]
            assert kept.splits == [split_id] and kept.split_off == Decimal("10.00")
            assert kept.timeline[-1].reason.startswith(  # type: ignore[union-attr]
                f"1 × STOVE-GAS split off to {split_id} at paris-bastille (paris-bastille: lowest score"
            )
            moved = await _until(time_skipping, split, lambda s: s.status is OrderStatus.RESERVED)
            assert moved.store_id == "paris-bastille" and moved.split_from
            assert (moved.split_from.order_id, moved.split_from.store.id) == (order.placement.order_id, HOME)
            assert [(line.sku, line.quantity) for line in moved.current_lines] == [("STOVE-GAS", 1)]
            assert fakes.held(HOME) == {"TENT-2P": 1, "STOVE-GAS": 0}
            assert fakes.held("paris-bastille") == {"STOVE-GAS": 1}
            assert fakes.written_off == [(HOME, "STOVE-GAS", 1)]
            # The stove's share of the hold moves: released here, authorised by the split order.
            parent = order.placement.order_id
            assert fakes.ledger == [
                (parent, "authorize", "20.00"),
                (parent, "refund", "10.00"),
                (split_id, "authorize", "10.00"),
            ]
            await _until(time_skipping, split, lambda _: "order_split" in fakes.kinds())  # sent after
            told = [m for m in fakes.sent if m.kind == "order_split"]
            assert [(m.order_id, m.facts.part, m.facts.previous_store.id) for m in told] == [  # type: ignore[union-attr]
                (split_id, "2", HOME)
            ]
            # The split order lives on its own: cancelling it voids its payment and leaves Rivoli's part.
            # (Ended before its parent: the test server stops skipping time when a child outlives it.)
            await split.signal(ids.SIGNAL_CANCEL, Cancellation(reason="changed my mind", actor="customer"))
            assert (await split.result()).status is OrderStatus.CANCELLED
            assert fakes.ledger[-1] == (split_id, "void", "10.00") and fakes.held("paris-bastille") == {}
            # The tent is collected at Rivoli and only its price is captured there.
            await _send(handle, ids.UPDATE_MARK_READY, ReadyReport(staging_location="A1", actor=STORE))
            await _until(time_skipping, handle, lambda s: s.status is OrderStatus.READY)
            code = await handle.query(ids.QUERY_PICKUP_CODE, result_type=str)
            await _send(handle, ids.UPDATE_COLLECT, Collection(pickup_code=code, actor=STORE))
            await _until(time_skipping, handle, lambda s: s.status is OrderStatus.COLLECTED)
            assert fakes.ledger[-1] == (parent, "capture", "10.00")
        finally:
            await _finish(split)


SCENARIO = _world(
    paris_rivoli={"TENT-2P": 5, "STOVE-GAS": 1},
    chartres={"TENT-2P": 2, "STOVE-GAS": 2},  # 75 km: only with the customer's consent
    wh_ile_de_france={"TENT-2P": 50, "STOVE-GAS": 50},
)


def _scenario() -> FakeSystems:
    return FakeSystems(stock={k: dict(v) for k, v in SCENARIO.stock.items()})


async def _to_choice(env: WorkflowEnvironment, handle: Handle) -> OrderView:
    await _until(env, handle, lambda s: s.status is OrderStatus.RESERVED)
    await _send(handle, ids.UPDATE_ACCEPT, StoreAcceptance(actor=STORE))
    await _until(env, handle, lambda s: s.status is OrderStatus.ACCEPTED)
    short = ShortLine(sku="STOVE-GAS", missing=1, reason="damaged")
    await _send(handle, ids.UPDATE_REPORT_SHORT_PICK, ShortPick(lines=[short], actor=STORE))
    return await _until(env, handle, lambda s: s.status is OrderStatus.AWAITING_CUSTOMER)


def _with_address() -> OrderInput:
    order = _two_lines()
    order.placement.delivery_address = ADDRESS
    return order


async def test_short_pick_with_no_store_nearby_asks_the_customer_what_is_possible(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, _with_address(), _scenario()) as (handle, fakes):
        asking = await _to_choice(time_skipping, handle)
        await _send(handle, ids.UPDATE_CANCEL, Cancellation(reason="customer phoned"))
        await handle.result()
    choice = asking.choice
    assert choice is not None
    assert choice.options == [
        ChoiceOption.OTHER_STORE,
        ChoiceOption.HOME_DELIVERY,
        ChoiceOption.COLLECT_AVAILABLE,
        ChoiceOption.CANCEL,
    ]
    assert [s.store_id for s in choice.stores] == ["chartres"]
    assert choice.default is ChoiceOption.COLLECT_AVAILABLE
    assert choice.deadline - asking.timeline[-1].at == timedelta(hours=24)
    assert "choice_requested" in fakes.kinds()
    assert fakes.sent[fakes.kinds().index("choice_requested")].facts.choice_deadline == choice.deadline


async def test_customer_choosing_another_store_moves_the_order_there(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, _two_lines(), _scenario()) as (handle, fakes):
        await _to_choice(time_skipping, handle)
        await _send(handle, ids.UPDATE_CHOOSE, CustomerChoice(option="other_store", store_id="chartres"))
        moved = await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)
        assert moved.store_id == "chartres" and moved.choice is None
        assert fakes.held("chartres") == {"TENT-2P": 1, "STOVE-GAS": 1} and fakes.held(HOME) == {}
        assert "customer chose chartres" in moved.timeline[-1].reason  # type: ignore[operator]


async def test_customer_choosing_home_delivery_is_shipped_by_the_cheapest_carrier_in_time(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, _two_lines(), _scenario()) as (handle, fakes):
        await _to_choice(time_skipping, handle)
        await _send(
            handle, ids.UPDATE_CHOOSE, CustomerChoice(option="home_delivery", delivery_address=ADDRESS)
        )
        final = await handle.result()
    assert final.status is OrderStatus.SHIPPED
    assert final.shipment and (final.shipment.carrier, final.shipment.ship_from) == (
        "Colissimo",
        "wh-ile-de-france",
    )
    assert final.shipment.cost == Decimal("6.90") and final.shipment.promised_days == 2
    assert fakes.committed == [ids.delivery_holder(final.order_id)]
    assert fakes.held(HOME) == {} and fakes.reserved == {}
    assert fakes.payments == [("authorize", "20.00"), ("capture", "20.00")]
    assert (
        fakes.kinds()[-1] == "shipped"
        and fakes.sent[-1].facts.tracking_number == final.shipment.tracking_number
    )
    assert [e.status for e in final.timeline][-2:] == [OrderStatus.IN_DELIVERY, OrderStatus.SHIPPED]


async def test_customer_collecting_what_is_there_is_refunded_for_the_rest_and_collects_it(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, _two_lines(), _scenario()) as (handle, fakes):
        await _to_choice(time_skipping, handle)
        await _send(handle, ids.UPDATE_CHOOSE, CustomerChoice(option="collect_available"))
        picked = await _until(time_skipping, handle, lambda s: s.status is OrderStatus.PICKED)
        assert picked.lines and [(line.sku, line.quantity) for line in picked.lines] == [("TENT-2P", 1)]
        assert picked.refunded == Decimal("10.00")
        await _send(
            handle,
            ids.UPDATE_MARK_READY,
            ReadyReport(staging_location="B3", actor=STORE),
        )
        await _until(time_skipping, handle, lambda s: s.status is OrderStatus.READY)
        code = await handle.query(ids.QUERY_PICKUP_CODE)
        await _send(handle, ids.UPDATE_COLLECT, Collection(pickup_code=code, actor=STORE))
        final = await handle.result()
    assert final.status is OrderStatus.COLLECTED
    assert fakes.payments == [("authorize", "20.00"), ("refund", "10.00"), ("capture", "10.00")]
    assert fakes.committed == [final.order_id]
    assert fakes.stock[HOME] == {"TENT-2P": 4, "STOVE-GAS": 0}  # the damaged stove was written off
    assert "refund_issued" in fakes.kinds() and fakes.kinds()[-1] == "receipt"


async def test_customer_choosing_a_refund_cancels_and_voids_everything(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, _two_lines(), _scenario()) as (handle, fakes):
        await _to_choice(time_skipping, handle)
        await _send(handle, ids.UPDATE_CHOOSE, CustomerChoice(option="cancel"))
        final = await handle.result()
    assert final.status is OrderStatus.CANCELLED
    assert fakes.payments == [("authorize", "20.00"), ("void", "20.00")]
    assert fakes.reserved == {} and fakes.stock[HOME] == {"TENT-2P": 5, "STOVE-GAS": 0}
    assert fakes.kinds()[-1] == "order_cancelled"


async def test_without_an_answer_the_default_applies_at_the_deadline(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, _two_lines(), _scenario()) as (handle, fakes):
        asking = await _to_choice(time_skipping, handle)
        assert asking.choice
        picked = await _until(
            time_skipping, handle, lambda s: s.status is OrderStatus.PICKED, timedelta(hours=1)
        )
        entry = picked.timeline[-1]
        assert (
            entry.actor == "system"
            and entry.reason == "no answer by the deadline: system will collect what is there"
        )
        assert entry.at - asking.choice.deadline < timedelta(hours=1)
        assert fakes.payments[-1] == ("refund", "10.00")


async def test_with_the_ask_customer_policy_a_short_pick_never_moves_unasked(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = _world(paris_rivoli={"TENT-2P": 5, "STOVE-GAS": 1}, paris_bastille={"TENT-2P": 3, "STOVE-GAS": 3})
    order = _two_lines()
    order.policy = OrderPolicy(short_pick=ShortPickPolicy.ASK_CUSTOMER)
    async with running(time_skipping, order, fakes) as (handle, fakes):
        asking = await _to_choice(time_skipping, handle)
        assert asking.store_id == HOME
        assert asking.choice and [s.store_id for s in asking.choice.stores] == ["paris-bastille"]


async def test_stock_at_risk_before_picking_moves_the_order(time_skipping: WorkflowEnvironment) -> None:
    fakes = _world(paris_rivoli={"TENT-2P": 5}, paris_bastille={"TENT-2P": 5})
    async with running(time_skipping, OrderInput(placement=placement()), fakes) as (handle, fakes):
        reserved = await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)
        risk = StockAtRisk(store_id=HOME, sku="TENT-2P", short_by=1, detected_at=reserved.timeline[-1].at)
        await handle.signal(ids.SIGNAL_STOCK_AT_RISK, risk)
        moved = await _until(time_skipping, handle, lambda s: s.store_id == "paris-bastille")
        assert moved.stock_at_risk == [] and "stock at risk: TENT-2P short by 1" in moved.timeline[-1].reason  # type: ignore[operator]
        assert fakes.held(HOME) == {}


async def test_partial_collection_releases_and_refunds_what_the_customer_leaves(
    time_skipping: WorkflowEnvironment,
) -> None:
    order_input = await _ready_order(time_skipping)
    order_input.placement.lines.append(order_input.placement.lines[0].model_copy(update={"sku": "STOVE-GAS"}))
    assert order_input.carry_on_from
    order_input.carry_on_from.placement = order_input.placement
    fakes = FakeSystems()
    fakes.reserved[order_input.placement.order_id] = (HOME, {"TENT-2P": 1, "STOVE-GAS": 1})
    fakes.stock[HOME]["STOVE-GAS"] = 0
    async with running(time_skipping, order_input, fakes) as (handle, fakes):
        taken = [PickedLine(sku="TENT-2P", quantity=1)]
        await _send(handle, ids.UPDATE_COLLECT, Collection(pickup_code="246810", actor=STORE, lines=taken))
        final = await handle.result()
    assert final.status is OrderStatus.COLLECTED and final.collected == taken
    assert final.timeline[-1].reason == "partial: 1 × STOVE-GAS left"
    assert fakes.stock[HOME] == {"TENT-2P": 5, "STOVE-GAS": 1}  # the stove is back on sale
    assert fakes.payments == [("refund", "10.00"), ("capture", "10.00")]
    assert fakes.kinds() == ["receipt", "refund_issued"]
