"""Reminder and expiry timers over the real durations (24 h, 72 h), on the time-skipping server.

The test server cannot run Updates, so store steps are not driven here: an order is carried on from
a recorded ready-for-pickup state (the same input continue-as-new uses). Updates are covered on the
dev server in tests/integration."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain import ids
from domain.commands import Cancellation
from domain.order_state import OrderState, OrderView
from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import TimelineEntry
from tests.conftest import placement
from tests.workflows.fakes import HOME, FakeSystems, ServerClock
from workflows.contracts import OrderInput
from workflows.delivery import DeliveryWorkflow
from workflows.order import OrderWorkflow

Handle = WorkflowHandle[OrderWorkflow, OrderView]


@asynccontextmanager
async def running(
    env: WorkflowEnvironment, order_input: OrderInput, fakes: FakeSystems | None = None
) -> AsyncIterator[tuple[Handle, FakeSystems]]:
    """The order workflow started on its own task queue, with fake activities recording what they did."""
    fakes, queue = fakes or FakeSystems(), f"tq-{uuid.uuid4()}"
    fakes.clock = ServerClock(env.get_current_time)  # messages are local activities: time them by the server
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[OrderWorkflow, DeliveryWorkflow],
        activities=fakes.activities(),
    ):
        handle = await env.client.start_workflow(
            OrderWorkflow.run,
            order_input,
            id=order_input.placement.order_id,
            task_queue=queue,
        )
        try:
            yield handle, fakes
        finally:
            await _finish(handle)


async def _finish(handle: Handle) -> None:
    """Leave nothing running: the test server's clock is shared by every test, and a workflow ended by
    termination after Updates keeps it from skipping time (a test-server quirk); a cancellation ends it
    the normal way."""
    if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
        return
    with contextlib.suppress(Exception):
        await handle.signal(ids.SIGNAL_CANCEL, Cancellation(reason="test finished", actor="test"))
        await asyncio.wait_for(handle.result(), timeout=10)
        return
    with contextlib.suppress(Exception):
        await handle.terminate("test finished")


async def _ready_order(env: WorkflowEnvironment, policy: OrderPolicy | None = None) -> OrderInput:
    policy = policy or OrderPolicy()
    order = placement()
    now = await env.get_current_time()
    steps = (
        OrderStatus.RECEIVED,
        OrderStatus.RESERVED,
        OrderStatus.ACCEPTED,
        OrderStatus.PICKED,
        OrderStatus.READY,
    )
    state = OrderState(
        order_id=order.order_id,
        placement=order,
        status=OrderStatus.READY,
        ready_at=now,
        pickup_deadline=now + policy.hold_period,
        pickup_code="246810",
        staging_location="shelf B3",
        version=4,
        timeline=[TimelineEntry(at=now, status=status, actor="test") for status in steps],
    )
    return OrderInput(placement=order, policy=policy, carry_on_from=state)


async def test_uncollected_order_is_reminded_after_a_day_and_expires_after_three(
    time_skipping: WorkflowEnvironment,
) -> None:
    order_input = await _ready_order(time_skipping)
    async with running(time_skipping, order_input) as (handle, fakes):
        final = await handle.result()

    assert final.status is OrderStatus.EXPIRED
    assert order_input.carry_on_from and order_input.carry_on_from.ready_at
    held = final.timeline[-1].at - order_input.carry_on_from.ready_at
    assert timedelta(hours=72) <= held < timedelta(hours=72, seconds=1)
    assert fakes.kinds() == ["pickup_reminder", "expiry_warning", "order_expired"]
    assert fakes.sent[0].facts.pickup_code == "246810"
    assert fakes.payments == [("void", "10.00")]
    assert final.timeline[-1].reason == "not collected within the hold period"
    assert fakes.records[-1].status is OrderStatus.EXPIRED


async def test_no_reminder_when_the_hold_is_shorter_than_the_reminder_delay(
    time_skipping: WorkflowEnvironment,
) -> None:
    policy = OrderPolicy(reminder_after_ready=timedelta(hours=24), hold_period=timedelta(hours=12))
    async with running(time_skipping, await _ready_order(time_skipping, policy)) as (handle, fakes):
        assert (await handle.result()).status is OrderStatus.EXPIRED
    assert fakes.kinds() == ["order_expired"]


async def test_cancellation_during_the_hold_stops_the_timers_and_compensates(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, await _ready_order(time_skipping)) as (handle, fakes):
        await time_skipping.sleep(timedelta(hours=30))  # past the reminder
        # The skip does not wait for the worker: under load the reminder's task may still be queued.
        async with asyncio.timeout(30):
            while "pickup_reminder" not in fakes.kinds():
                await asyncio.sleep(0.05)
        await handle.signal(ids.SIGNAL_CANCEL, Cancellation(reason="customer phoned", actor="support:ana"))
        final = await handle.result()
    assert final.status is OrderStatus.CANCELLED
    assert fakes.kinds() == ["pickup_reminder", "order_cancelled"]  # cancelled before the expiry warning
    assert fakes.payments == [("void", "10.00")]
    assert (
        final.timeline[-1].actor == "temporal:support:ana"
    )  # a signal comes from Temporal, whoever it names


async def test_new_order_is_reserved_then_released_when_cancelled_by_signal(
    time_skipping: WorkflowEnvironment,
) -> None:
    order = placement(lines=[("TENT-2P", 2)])
    async with running(time_skipping, OrderInput(placement=order)) as (handle, fakes):
        await handle.signal(ids.SIGNAL_CANCEL, Cancellation(reason="fraud check failed", actor="support"))
        final = await handle.result()
    assert final.status is OrderStatus.CANCELLED
    assert fakes.stock[HOME] == {"TENT-2P": 5}
    assert fakes.kinds()[-1] == "order_cancelled"


async def test_order_short_of_stock_is_rejected_naming_the_missing_lines(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, OrderInput(placement=placement(lines=[("TENT-2P", 9)]))) as (
        handle,
        fakes,
    ):
        final = await handle.result()
    assert final.status is OrderStatus.REJECTED
    assert [(m.sku, m.requested, m.available) for m in final.missing] == [("TENT-2P", 9, 5)]
    assert fakes.payments == [] and fakes.sent == []


async def test_an_expiry_notice_its_provider_cannot_take_with_the_step_is_sent_after_it_once(
    time_skipping: WorkflowEnvironment,
) -> None:
    """The expiry's step sends its message once it committed; with the provider down then, the step
    stands and the message goes on its own, retried until the provider is back: once, support not told."""
    policy = OrderPolicy(reminder_after_ready=timedelta(hours=24), hold_period=timedelta(hours=12))
    fakes = FakeSystems(provider_down=3)  # the step's try, then two of the message's own attempts
    async with running(time_skipping, await _ready_order(time_skipping, policy), fakes) as (handle, fakes):
        final = await handle.result()
    assert final.status is OrderStatus.EXPIRED
    assert fakes.payments == [("void", "10.00")] and fakes.records[-1].status is OrderStatus.EXPIRED
    assert fakes.kinds() == ["order_expired"] and fakes.provider_down == 0
    assert fakes.alerts == {}


async def test_an_expiry_notice_goes_with_its_step(time_skipping: WorkflowEnvironment) -> None:
    """One local activity settles the expiry and tells the customer."""
    policy = OrderPolicy(reminder_after_ready=timedelta(hours=24), hold_period=timedelta(hours=12))
    async with running(time_skipping, await _ready_order(time_skipping, policy)) as (handle, fakes):
        assert (await handle.result()).status is OrderStatus.EXPIRED
    assert fakes.kinds() == ["order_expired"]
    history = await handle.fetch_history()
    markers = [
        e.marker_recorded_event_attributes.marker_name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    ]
    assert markers.count("core_local_activity") == 1
