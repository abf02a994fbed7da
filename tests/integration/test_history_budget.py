"""What a happy-path order costs Temporal: its history stays within a budget of events, so a change that
adds workflow tasks, activities or timers to every order is seen (docs/performance.md)."""

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tests.conftest import placement
from tests.integration.flow import pickup_code, place, prepare, step

# Measured 51 (fewer when a workflow task answers two updates at once): one patch marker (the
# baseline's), an upsert only when an attribute changes. 59-64 before the baseline, 65-70 before the
# messages were sent within their workflow task, 73 before one transaction per step.
HAPPY_PATH_EVENT_BUDGET = 51
# One per step (intake, accept, pick, ready, collect): the ready notice and the receipt leave from their
# step's own local activity (7 when each was a local activity of its own).
LOCAL_ACTIVITY_BUDGET = 5
ACTIVITY_BUDGET = 1  # the confirmation: intake answers the channel before it is sent


async def test_a_happy_path_order_stays_within_its_history_budget(
    api: httpx.AsyncClient, client: Client
) -> None:
    order = placement(lines=[("TENT-2P", 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    collected = await step(api, order, "collect", {"pickup_code": await pickup_code(api, order)})
    assert collected.status_code == 200, collected.text
    handle = client.get_workflow_handle(order.order_id)
    await handle.result()

    events = (await handle.fetch_history()).events
    local = [
        e
        for e in events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        and e.marker_recorded_event_attributes.marker_name == "core_local_activity"
    ]
    scheduled = [e for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    assert len(events) <= HAPPY_PATH_EVENT_BUDGET, [EventType.Name(e.event_type) for e in events]
    assert len(local) <= LOCAL_ACTIVITY_BUDGET
    assert len(scheduled) <= ACTIVITY_BUDGET
