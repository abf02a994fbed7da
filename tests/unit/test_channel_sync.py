"""What Shopify is told at each event of an order, given what it already shows: pure rules, no server."""

from typing import Any

import httpx
import pytest

from adapters.channels import PayloadRejected
from adapters.channels.shopify import ShopifyAdapter
from adapters.channels.shopify_admin import shopify_admin
from config.settings import Settings
from domain.channel_sync import (
    CancelOrder,
    CancelReason,
    ChannelEvent,
    ChannelOrder,
    ChannelReport,
    Fulfil,
    FulfillmentLine,
    FulfillmentOrder,
    PrepareForPickup,
    next_action,
    report_of,
)
from domain.order import Order
from domain.status import OrderStatus
from domain.values import ChannelReference, PickedLine, SplitOrigin, TimelineEntry
from services.intake import canonical
from tests.unit.order_builders import AT, RIVOLI, an_order
from tests.unit.test_channel_rules import context, shopify_body

ORDER = "gid://shopify/Order/1"
TENT, STOVE, TENT_2 = "gid://shopify/LineItem/10", "gid://shopify/LineItem/20", "gid://shopify/LineItem/11"
REFERENCE = ChannelReference(order=ORDER, lines={"TENT-2P": [TENT], "STOVE-GAS": [STOVE]})


def fo(fo_id: str, status: str = "OPEN", **remaining: int) -> FulfillmentOrder:
    """A fulfillment order; `remaining` by line item number ("l10": 2 is LineItem/10 with 2 to go)."""
    lines = tuple(
        FulfillmentLine(f"{fo_id}-line-{key}", f"gid://shopify/LineItem/{key[1:]}", units)
        for key, units in remaining.items()
    )
    return FulfillmentOrder(fo_id, status, lines)


def shop(*fulfillment_orders: FulfillmentOrder, cancelled: bool = False, **fulfilled: int) -> ChannelOrder:
    return ChannelOrder(
        cancelled=cancelled,
        fulfillment_orders=fulfillment_orders,
        fulfilled={f"gid://shopify/LineItem/{key[1:]}": units for key, units in fulfilled.items()},
    )


def report(event: ChannelEvent, reference: ChannelReference = REFERENCE, **fields: object) -> ChannelReport:
    return ChannelReport(order_id="order-shopify-1", event=event, reference=reference, **fields)  # type: ignore[arg-type]


# ---- the report the order makes ----------------------------------------------------------------------


def shopify_order(status: OrderStatus = OrderStatus.READY, **state: Any) -> Order:
    order = an_order(status, **state)
    order.state.placement = order.state.placement.model_copy(update={"channel_reference": REFERENCE})
    return order


def test_an_order_no_channel_adapter_took_reports_nothing() -> None:
    assert report_of(an_order(OrderStatus.READY).state, ChannelEvent.READY) is None


def test_a_collection_reports_the_units_taken() -> None:
    order = shopify_order(OrderStatus.COLLECTED)
    order.state.collected = [PickedLine(sku="TENT-2P", quantity=1)]  # the stove was left
    made = report_of(order.state, ChannelEvent.COLLECTED)
    assert made and made.collected == {"TENT-2P": 1} and made.reference == REFERENCE


def test_a_cancellation_reports_its_reason_and_who_asked() -> None:
    order = shopify_order(OrderStatus.CANCELLED)
    order.state.timeline.append(
        TimelineEntry(at=AT, status=OrderStatus.CANCELLED, actor="customer", reason="changed my mind")
    )
    made = report_of(order.state, ChannelEvent.CANCELLED)
    assert made and made.by_customer and made.note == "changed my mind" and made.whole_order


def test_a_part_of_a_split_order_is_not_the_whole_channel_order() -> None:
    order = shopify_order(
        split_from=SplitOrigin(order_id="order-shopify-1", store=RIVOLI, part=2, reason="short")
    )
    order.state.placement = order.state.placement.model_copy(
        update={"lines": [line for line in order.state.placement.lines if line.sku == "STOVE-GAS"]}
    )
    made = report_of(order.state, ChannelEvent.CANCELLED)
    assert made and not made.whole_order
    assert made.reference.lines == {"STOVE-GAS": [STOVE]}  # its own lines only
    assert next_action(made, shop(fo("F1", l10=1, l20=1))) is None


# ---- ready ----------------------------------------------------------------------------------------------


def test_ready_prepares_every_open_fulfillment_order_with_our_lines() -> None:
    order = shop(fo("F1", l10=1), fo("F2", l20=1), fo("F3", l99=1), fo("F4", "IN_PROGRESS", l10=1))
    assert next_action(report(ChannelEvent.READY), order) == PrepareForPickup(("F1", "F2"))


def test_ready_sends_nothing_once_shopify_shows_it_prepared() -> None:
    assert next_action(report(ChannelEvent.READY), shop(fo("F1", "IN_PROGRESS", l10=1))) is None


# ---- collected ------------------------------------------------------------------------------------------


def test_a_collection_fulfils_the_units_taken_only() -> None:
    made = report(ChannelEvent.COLLECTED, collected={"TENT-2P": 1})
    assert next_action(made, shop(fo("F1", "IN_PROGRESS", l10=2, l20=1))) == Fulfil(
        "F1", (("F1-line-l10", 1),)
    )


def test_a_collection_already_fulfilled_sends_nothing() -> None:
    made = report(ChannelEvent.COLLECTED, collected={"TENT-2P": 1})
    assert next_action(made, shop(fo("F1", "IN_PROGRESS", l10=1, l20=1), l10=1)) is None


def test_a_collection_fulfils_what_a_lost_answer_left_undone_from_the_next_fulfillment_order() -> None:
    made = report(ChannelEvent.COLLECTED, collected={"TENT-2P": 2, "STOVE-GAS": 1})
    order = shop(fo("F1", "CLOSED", l10=0), fo("F2", l10=1, l20=1), l10=1)
    assert next_action(made, order) == Fulfil("F2", (("F2-line-l10", 1), ("F2-line-l20", 1)))


def test_a_sku_on_two_line_items_fills_the_first_then_the_second() -> None:
    reference = ChannelReference(order=ORDER, lines={"TENT-2P": [TENT, TENT_2]})
    made = report(ChannelEvent.COLLECTED, reference, collected={"TENT-2P": 3})
    action = next_action(made, shop(fo("F1", l10=2, l11=2)))
    assert action == Fulfil("F1", (("F1-line-l10", 2), ("F1-line-l11", 1)))


# ---- cancelled, expired -------------------------------------------------------------------------------


def test_a_cancellation_cancels_the_shopify_order_with_the_reason() -> None:
    made = report(ChannelEvent.CANCELLED, note="store closed", by_customer=False)
    action = next_action(made, shop(fo("F1", "IN_PROGRESS", l10=1)))
    assert action == CancelOrder(CancelReason.STAFF, "OMS order order-shopify-1 cancelled: store closed")


def test_an_expiry_cancels_with_reason_other() -> None:
    action = next_action(report(ChannelEvent.EXPIRED, note="not collected"), shop(fo("F1", l10=1)))
    assert isinstance(action, CancelOrder) and action.reason is CancelReason.OTHER


@pytest.mark.parametrize("event", list(ChannelEvent))
def test_an_order_cancelled_in_shopify_is_told_nothing(event: ChannelEvent) -> None:
    made = report(event, collected={"TENT-2P": 1})
    assert next_action(made, shop(fo("F1", "CLOSED", l10=1), cancelled=True)) is None


def test_an_order_fulfilled_in_part_is_not_cancelled() -> None:
    assert next_action(report(ChannelEvent.CANCELLED), shop(fo("F1", "IN_PROGRESS", l10=1), l20=1)) is None


# ---- intake keeps Shopify's ids ------------------------------------------------------------------------


def test_a_shopify_order_keeps_its_order_and_line_item_gids() -> None:
    placement = ShopifyAdapter().to_placement(shopify_body(), context())
    assert placement.channel_reference == ChannelReference(
        order="gid://shopify/Order/820982911946154508",
        lines={
            "TENT-2P": ["gid://shopify/LineItem/866550311766439020"],
            "BOTTLE-1L": ["gid://shopify/LineItem/141249953214522974"],
            "HEADLAMP-300": ["gid://shopify/LineItem/257004973106"],
        },  # the gift card line has nothing to fulfil here
    )


def test_our_own_json_may_not_name_a_channel_reference() -> None:
    body = shopify_body()
    payload = {
        **ShopifyAdapter().to_placement(body, context()).model_dump(mode="json"),
        "channel_reference": {"order": "gid://shopify/Order/1"},
    }
    with pytest.raises(PayloadRejected) as refused:
        canonical(payload)
    assert [error.loc for error in refused.value.errors] == [["channel_reference"]]


async def test_the_admin_api_is_built_from_the_settings_only_when_configured() -> None:
    async with httpx.AsyncClient() as http:
        assert shopify_admin(Settings(), http) is None
        configured = Settings(shopify_shop_domain="jsmith.myshopify.com", shopify_admin_token="shpat_x")
        admin = shopify_admin(configured, http)
        assert admin is not None
        assert admin._url == "https://jsmith.myshopify.com/admin/api/2025-10/graphql.json"
        assert admin._headers["X-Shopify-Access-Token"] == "shpat_x"
