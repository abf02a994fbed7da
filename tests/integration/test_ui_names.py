"""Every timer and every activity call of an order carries a summary: the Temporal UI names them instead
of numbering them (docs/operations.md, "Named timers and steps")."""

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from domain.notifications import NotificationKind
from tests.conftest import placement
from tests.integration.conftest import eventually
from tests.integration.flow import place, prepare
from workflows.calls import STEP_SUMMARIES
from workflows.order.collection import COLLECTION_TIMERS, HOLD_ENDS
from workflows.order.preparation import AT_RISK_TIMERS

NAMED = {
    EventType.EVENT_TYPE_TIMER_STARTED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    EventType.EVENT_TYPE_MARKER_RECORDED,
}


async def _summary(client: Client, event: HistoryEvent) -> str | None:
    if not event.user_metadata.HasField("summary"):
        return None
    [text] = await client.data_converter.decode([event.user_metadata.summary], [str])
    return str(text)


async def test_every_timer_and_step_of_an_order_is_named(
    short_hold_api: httpx.AsyncClient, client: Client
) -> None:
    api = short_hold_api
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)

    async def expired() -> bool:
        return (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "expired"

    await eventually(expired, timeout=30)
    await client.get_workflow_handle(order.order_id).result()
    history = await client.get_workflow_handle(order.order_id).fetch_history()
    named: dict[str, list[str | None]] = {}
    for event in history.events:
        if event.event_type not in NAMED:
            continue
        marker = event.marker_recorded_event_attributes.marker_name
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED and marker != "core_local_activity":
            continue  # patch markers are the SDK's own
        kind = EventType.Name(event.event_type)
        named.setdefault(kind, []).append(await _summary(client, event))
    timers = named["EVENT_TYPE_TIMER_STARTED"]
    assert None not in timers, timers
    # The store accepted at once (no accept timer needed); it was still preparing when ready came.
    assert timers == [AT_RISK_TIMERS["ready"], COLLECTION_TIMERS[NotificationKind.PICKUP_REMINDER], HOLD_ENDS]
    steps = named["EVENT_TYPE_MARKER_RECORDED"]
    assert None not in steps and STEP_SUMMARIES["reserve_order"] in steps, steps
    # The confirmation leaves by an activity (intake answers first); the later messages within their
    # workflow task (local activities), named all the same: with the step that sends them, or alone.
    assert named["EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"] == ["tell the customer: order_confirmed #1"]
    assert "record the order, tell the customer: ready_for_pickup #1" in steps, steps
    assert "tell the customer: pickup_reminder #1" in steps, steps
    assert "release and void (compensation), tell the customer: order_expired #1" in steps, steps
