"""The order workflow tells Shopify when a Shopify order ends uncollected (expired, cancelled), after its
compensation; orders from other channels send nothing (every order records one patch marker, the
baseline's); a report refused for good alerts support and the order still ends. On the time-skipping
server, from a ready order."""

import json
from collections.abc import Sequence
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.testing import WorkflowEnvironment

from domain import ids
from domain.channel_sync import ChannelEvent
from domain.commands import Cancellation
from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import ChannelReference
from tests.workflows.fakes import FakeSystems
from tests.workflows.test_pickup_timers import _ready_order, running
from workflows.contracts import OrderInput
from workflows.order.patches import PATCH_BASELINE


def patches(events: Sequence[HistoryEvent]) -> list[str]:
    """The patch ids of a history's patch markers."""
    markers = [
        e.marker_recorded_event_attributes
        for e in events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        and e.marker_recorded_event_attributes.marker_name == "core_patch"
    ]
    return [json.loads(marker.details["patch-data"].payloads[0].data)["id"] for marker in markers]


REFERENCE = ChannelReference(order="gid://shopify/Order/7", lines={"TENT-2P": ["gid://shopify/LineItem/70"]})


async def shopify_ready_order(env: WorkflowEnvironment, policy: OrderPolicy | None = None) -> OrderInput:
    """A ready order as the Shopify adapter takes it: channel shopify, Shopify's ids kept."""
    order_input = await _ready_order(env, policy)
    placement = order_input.placement.model_copy(
        update={"channel": "shopify", "channel_reference": REFERENCE}
    )
    assert order_input.carry_on_from
    state = order_input.carry_on_from.model_copy(
        update={"placement": placement, "order_id": placement.order_id}
    )
    return order_input.model_copy(update={"placement": placement, "carry_on_from": state})


async def test_an_expired_shopify_order_is_reported_after_its_compensation(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, await shopify_ready_order(time_skipping)) as (handle, fakes):
        final = await handle.result()
        events = (await handle.fetch_history()).events

    assert final.status is OrderStatus.EXPIRED
    [made] = fakes.channel_reports
    assert (made.event, made.reference, made.note) == (
        ChannelEvent.EXPIRED,
        REFERENCE,
        "not collected within the hold period",
    )
    assert fakes.payments == [("void", "10.00")]
    # The report's patch is among those the baseline settles: the order's one marker is the baseline's.
    assert patches(events) == [PATCH_BASELINE]


async def test_a_cancelled_shopify_order_reports_the_reason(time_skipping: WorkflowEnvironment) -> None:
    async with running(time_skipping, await shopify_ready_order(time_skipping)) as (handle, fakes):
        await time_skipping.sleep(timedelta(hours=2))
        await handle.signal(ids.SIGNAL_CANCEL, Cancellation(reason="customer phoned", actor="support:ana"))
        assert (await handle.result()).status is OrderStatus.CANCELLED

    [made] = fakes.channel_reports
    assert (made.event, made.note, made.by_customer) == (ChannelEvent.CANCELLED, "customer phoned", False)


async def test_a_report_refused_for_good_alerts_support_and_the_order_still_ends(
    time_skipping: WorkflowEnvironment,
) -> None:
    refusing = FakeSystems(channel_refusal="ChannelAuthRefused")
    async with running(time_skipping, await shopify_ready_order(time_skipping), refusing) as (handle, fakes):
        assert (await handle.result()).status is OrderStatus.EXPIRED

    [alert] = [alert for alert in fakes.alerts.values() if alert.kind == "channel_sync_failed"]
    assert alert.detail == "the expired report to the channel never got through: ChannelAuthRefused: refused"
    assert fakes.kinds()[-1] == "order_expired"


async def test_an_order_from_another_channel_reports_nothing_and_records_the_baseline_only(
    time_skipping: WorkflowEnvironment,
) -> None:
    async with running(time_skipping, await _ready_order(time_skipping)) as (handle, fakes):
        await handle.result()
        events = (await handle.fetch_history()).events

    assert fakes.channel_reports == []
    assert patches(events) == [PATCH_BASELINE]


async def test_the_report_does_not_wait_for_a_message_its_provider_could_not_take_with_the_step(
    time_skipping: WorkflowEnvironment,
) -> None:
    """The expiry's message fails with its step (provider down) and goes on its own, retried on timers:
    the report to Shopify leaves at once, before the message gets through."""
    fakes = FakeSystems(provider_down=5)  # the step's try, then four of the message's own attempts
    no_reminder = OrderPolicy(reminder_after_ready=timedelta(hours=24), hold_period=timedelta(hours=12))
    order_input = await shopify_ready_order(time_skipping, no_reminder)
    async with running(time_skipping, order_input, fakes) as (handle, fakes):
        final = await handle.result()
        events = list((await handle.fetch_history()).events)

    assert final.status is OrderStatus.EXPIRED and fakes.provider_down == 0
    assert [made.event for made in fakes.channel_reports] == [ChannelEvent.EXPIRED]
    assert fakes.kinds() == ["order_expired"] and fakes.alerts == {}
    reported = next(
        i for i, e in enumerate(events) if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    )
    timers = [i for i, e in enumerate(events) if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    assert reported < timers[-1]  # scheduled before the message's retries waited on their timers
