"""The Shopify reports against a local stand-in of the Admin GraphQL API (tests/shopify_standin.py), which
validates every document and its variables against a subset of Shopify's schema and applies each change
as Shopify would: ready → prepared for pickup, collected → fulfilled (in part too), cancelled or expired →
the order cancelled; a retry never sends a change twice; throttling is retried, a refused token is not."""

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.channel_fulfilment import ChannelFulfilmentActivities
from adapters.channels.shopify_admin import ShopifyAdmin
from domain.channel_sync import ChannelEvent, ChannelReport
from domain.values import ChannelReference
from tests.shopify_standin import TOKEN, VERSION, ShopifyStandIn

ORDER = "gid://shopify/Order/820982911946154508"
TENT, LAMP = "gid://shopify/LineItem/866550311766439020", "gid://shopify/LineItem/141249953214522974"
REFERENCE = ChannelReference(order=ORDER, lines={"TENT-2P": [TENT], "LAMP-1": [LAMP]})


@pytest.fixture
def shopify() -> Iterator[ShopifyStandIn]:
    stand_in = ShopifyStandIn()
    stand_in.shop.add_order(ORDER, [{TENT: 2, LAMP: 1}])
    yield stand_in
    assert stand_in.invalid == []  # every document and its variables validated against the schema
    stand_in.close()


@pytest.fixture
async def reports(shopify: ShopifyStandIn) -> AsyncIterator[ChannelFulfilmentActivities]:
    async with httpx.AsyncClient() as http:
        yield ChannelFulfilmentActivities(
            ShopifyAdmin(http, "oms-test.myshopify.com", TOKEN, VERSION, shopify.url)
        )


def report(event: ChannelEvent, **fields: object) -> ChannelReport:
    return ChannelReport(
        order_id="order-shopify-820982911946154508", event=event, reference=REFERENCE, **fields
    )  # type: ignore[arg-type]


async def run(reports: ChannelFulfilmentActivities, made: ChannelReport) -> list[str]:
    method = {
        ChannelEvent.READY: reports.report_ready,
        ChannelEvent.COLLECTED: reports.report_collected,
    }.get(made.event, reports.report_ended)
    return await ActivityEnvironment().run(method, made)


async def test_ready_marks_the_fulfillment_order_prepared_for_pickup(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    [fo] = shopify.shop.fulfillment_orders(ORDER)
    sent = await run(reports, report(ChannelEvent.READY))

    assert sent == [f"prepared for pickup: {fo['id']}"]
    [call] = shopify.mutations()
    assert call.field == "fulfillmentOrderLineItemsPreparedForPickup"
    assert call.variables == {"input": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}}
    assert fo["status"] == "IN_PROGRESS"
    assert set(shopify.tokens) == {TOKEN}


async def test_ready_reported_twice_prepares_once(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    await run(reports, report(ChannelEvent.READY))
    assert await run(reports, report(ChannelEvent.READY)) == []
    assert len(shopify.mutations()) == 1


async def test_a_full_collection_fulfils_every_line(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    await run(reports, report(ChannelEvent.READY))
    await run(reports, report(ChannelEvent.COLLECTED, collected={"TENT-2P": 2, "LAMP-1": 1}))

    [fo] = shopify.shop.fulfillment_orders(ORDER)
    assert shopify.shop.fulfilled(ORDER) == {TENT: 2, LAMP: 1}
    assert fo["status"] == "CLOSED"
    create = shopify.mutations()[-1]
    assert create.field == "fulfillmentCreate"
    assert create.variables["fulfillment"]["notifyCustomer"] is False


async def test_a_partial_collection_fulfils_only_the_lines_taken(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    await run(reports, report(ChannelEvent.COLLECTED, collected={"TENT-2P": 1}))

    [fo] = shopify.shop.fulfillment_orders(ORDER)
    tent_line = next(line["id"] for line in fo["lineItems"]["nodes"] if line["lineItem"]["id"] == TENT)
    [create] = shopify.mutations()
    [by_order] = create.variables["fulfillment"]["lineItemsByFulfillmentOrder"]
    assert by_order == {
        "fulfillmentOrderId": fo["id"],
        "fulfillmentOrderLineItems": [{"id": tent_line, "quantity": 1}],
    }
    assert shopify.shop.fulfilled(ORDER) == {TENT: 1}
    assert fo["status"] == "IN_PROGRESS"  # the lamp and one tent stay unfulfilled


async def test_a_retried_collection_after_a_lost_answer_does_not_fulfil_twice(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    shopify.script = [None, "drop-after"]  # type: ignore[list-item]  # the read answers; the fulfilment's answer is lost
    collected = report(ChannelEvent.COLLECTED, collected={"TENT-2P": 1})
    with pytest.raises(ApplicationError) as lost:
        await run(reports, collected)
    assert lost.value.type == "ChannelUnavailable" and not lost.value.non_retryable

    assert await run(reports, collected) == []  # the retry reads the fulfilment it made, and stops
    assert [call.field for call in shopify.mutations()] == ["fulfillmentCreate"]
    assert shopify.shop.fulfilled(ORDER) == {TENT: 1}


async def test_a_partial_collection_spread_over_two_fulfillment_orders(
    reports: ChannelFulfilmentActivities, shopify: ShopifyStandIn
) -> None:
    split = "gid://shopify/Order/2"
    shopify.shop.add_order(split, [{TENT: 1}, {TENT: 1, LAMP: 1}])
    reference = ChannelReference(order=split, lines=REFERENCE.lines)
    made = ChannelReport(
        order_id="o", event=ChannelEvent.COLLECTED, reference=reference, collected={"TENT-2P": 2}
    )

    sent = await run(reports, made)

    assert len(sent) == 2 and shopify.shop.fulfilled(split) == {TENT: 2}
    assert await run(reports, made) == []


async def test_cancelled_cancels_the_shopify_order_once(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    cancelled = report(ChannelEvent.CANCELLED, note="customer called", by_customer=True)
    assert await run(reports, cancelled) == ["order cancelled (CUSTOMER)"]
    assert await run(reports, cancelled) == []

    [call] = shopify.mutations()
    assert call.field == "orderCancel"
    assert call.variables == {
        "orderId": ORDER,
        "reason": "CUSTOMER",
        "restock": True,
        "refundMethod": {"originalPaymentMethodsRefund": True},
        "notifyCustomer": False,
        "staffNote": "OMS order order-shopify-820982911946154508 cancelled: customer called",
    }
    assert shopify.shop.orders[ORDER]["cancelledAt"]


async def test_expired_cancels_with_reason_other(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    await run(reports, report(ChannelEvent.READY))
    await run(reports, report(ChannelEvent.EXPIRED, note="not collected within the hold period"))
    assert shopify.mutations()[-1].variables["reason"] == "OTHER"


async def test_throttling_is_retried_after_the_wait_shopify_asks_for(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    shopify.script = ["throttle"]
    with pytest.raises(ApplicationError) as throttled:
        await run(reports, report(ChannelEvent.READY))
    assert throttled.value.type == "ChannelThrottled" and not throttled.value.non_retryable
    assert (
        throttled.value.next_retry_delay
        and throttled.value.next_retry_delay.total_seconds() == pytest.approx(0.1)
    )

    shopify.script = ["429"]
    with pytest.raises(ApplicationError) as too_many:
        await run(reports, report(ChannelEvent.READY))
    assert too_many.value.type == "ChannelThrottled"

    assert len(await run(reports, report(ChannelEvent.READY))) == 1  # the retry goes through
    assert len(shopify.mutations()) == 1


async def test_a_refused_token_is_not_retried(shopify: ShopifyStandIn) -> None:
    async with httpx.AsyncClient() as http:
        wrong = ChannelFulfilmentActivities(
            ShopifyAdmin(http, "x.myshopify.com", "revoked", VERSION, shopify.url)
        )
        with pytest.raises(ApplicationError) as refused:
            await run(wrong, report(ChannelEvent.READY))
    assert refused.value.type == "ChannelAuthRefused" and refused.value.non_retryable
    assert shopify.mutations() == []


async def test_a_change_shopify_refuses_is_not_retried_and_says_why(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    pending = {
        "id": "gid://shopify/Fulfillment/1",
        "status": "PENDING",
        "fulfillmentLineItems": {"nodes": []},
    }
    shopify.shop.orders[ORDER]["fulfillments"].append(pending)  # Shopify refuses to cancel it
    with pytest.raises(ApplicationError) as refused:
        await run(reports, report(ChannelEvent.CANCELLED))
    assert refused.value.type == "ChannelRefused" and refused.value.non_retryable
    assert "orderCancel: cannot cancel [INVALID]" in refused.value.message


async def test_an_order_fulfilled_in_part_is_not_cancelled(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    await run(reports, report(ChannelEvent.COLLECTED, collected={"TENT-2P": 1}))
    assert await run(reports, report(ChannelEvent.CANCELLED)) == []
    assert [call.field for call in shopify.mutations()] == ["fulfillmentCreate"]


async def test_an_unknown_order_is_not_retried(reports: ChannelFulfilmentActivities) -> None:
    unknown = ChannelReport(
        order_id="o", event=ChannelEvent.READY, reference=ChannelReference(order="gid://shopify/Order/404")
    )
    with pytest.raises(ApplicationError) as refused:
        await run(reports, unknown)
    assert refused.value.type == "ChannelOrderUnknown" and refused.value.non_retryable


async def test_without_an_admin_api_a_report_sends_nothing() -> None:
    assert await run(ChannelFulfilmentActivities(None), report(ChannelEvent.READY)) == []


def test_the_stand_in_refuses_what_shopifys_schema_refuses() -> None:
    stand_in = ShopifyStandIn()
    try:
        bad_field = (
            "mutation { fulfillmentCreate(fulfillment: {lineItemsByFulfillmentOrder: []}) "
            "{ userErrors { code } } }"
        )
        stand_in.run(bad_field, {})
        bad_variable = (
            "mutation M($r: OrderCancelReason!) "
            "{ orderCancel(orderId: 1, reason: $r, restock: true) { job { id } } }"
        )
        stand_in.run(bad_variable, {"r": "BORED"})
        assert len(stand_in.invalid) == 2 and stand_in.calls == []
        assert "Cannot query field 'code' on type 'UserError'." in stand_in.invalid[0]
    finally:
        stand_in.close()


async def test_a_cancellation_shopify_shows_late_is_not_sent_again_by_the_next_attempt(
    shopify: ShopifyStandIn, reports: ChannelFulfilmentActivities
) -> None:
    shopify.shop.cancel_lag = 8  # reads before the cancellation job shows: more than one attempt reads
    cancelled = report(ChannelEvent.CANCELLED)
    first = ActivityEnvironment()
    beats: list[object] = []
    first.on_heartbeat = lambda *details: beats.extend(details)
    with pytest.raises(ApplicationError) as lagging:
        await first.run(reports.report_ended, cancelled)
    assert lagging.value.type == "ChannelLagging" and not lagging.value.non_retryable

    retry = ActivityEnvironment()  # the next attempt, with the heartbeat the first one left
    retry.info = dataclasses.replace(retry.info, attempt=2, heartbeat_details=beats)
    assert await retry.run(reports.report_ended, cancelled) == []
    assert [call.field for call in shopify.mutations()] == ["orderCancel"]
    assert shopify.shop.orders[ORDER]["cancelledAt"]
