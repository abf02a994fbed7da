"""Wrong pickup codes lock collection; support unlocks it; every lockout raises its own support alert."""

from temporalio.testing import WorkflowEnvironment

from domain import ids
from domain.commands import Collection, SupportAction
from domain.order import MAX_PICKUP_ATTEMPTS
from tests.workflows.test_exceptions import STORE, _send
from tests.workflows.test_pickup_timers import Handle, _ready_order, running


async def _lock(handle: Handle) -> None:
    for _ in range(MAX_PICKUP_ATTEMPTS):
        await _send(handle, ids.UPDATE_COLLECT, Collection(pickup_code="000000", actor=STORE))


async def test_a_second_lockout_raises_a_second_support_alert(time_skipping: WorkflowEnvironment) -> None:
    order_input = await _ready_order(time_skipping)  # its pickup code is 246810
    order_id = order_input.placement.order_id
    async with running(time_skipping, order_input) as (handle, fakes):
        await _lock(handle)
        await _send(handle, ids.UPDATE_UNLOCK_PICKUP, SupportAction())
        await _lock(handle)
        for _ in range(100):
            if len(fakes.alerts) == 2:
                break
            await time_skipping.sleep(0.05)
    assert list(fakes.alerts) == [f"{order_id}:pickup_locked:1", f"{order_id}:pickup_locked:2"]
    assert {alert.kind for alert in fakes.alerts.values()} == {"pickup_locked"}
    assert fakes.resolved == ["pickup_locked"]
