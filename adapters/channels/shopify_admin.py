"""The Shopify Admin GraphQL API, for what the OMS tells Shopify about a local pickup order: its fulfillment
orders read, marked prepared for pickup, fulfilled (the lines collected), the order cancelled.

One `httpx.AsyncClient` against `https://<shop>/admin/api/<version>/graphql.json` (the version pinned in
settings); every failure comes out as one of the errors below, by what a retry can do about it."""

from collections.abc import Mapping
from typing import Any

import httpx

from config.settings import Settings
from domain.channel_sync import (
    CancelOrder,
    ChannelAction,
    ChannelOrder,
    Fulfil,
    FulfillmentLine,
    FulfillmentOrder,
    PrepareForPickup,
)

REQUEST_TIMEOUT = 20.0  # seconds; the activity's own timeout bounds the attempt


class ShopifyUnavailable(Exception):
    """Shopify did not answer, or answered 5xx: a retry may succeed."""


class ShopifyThrottled(ShopifyUnavailable):
    """THROTTLED (GraphQL cost) or 429: retry after `retry_after` seconds (None: Shopify did not say)."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ShopifyAuthRefused(Exception):
    """The access token is wrong, revoked or lacks a scope (401, 403, ACCESS_DENIED): no retry heals it."""


class ShopifyRefused(Exception):
    """Shopify refused the request itself (GraphQL errors, userErrors): no retry heals it."""


class ShopifyOrderUnknown(Exception):
    """Shopify knows no order by this id (deleted, or another shop's)."""


FULFILLMENT_STATE = """
query OrderFulfillmentState($id: ID!) {
  order(id: $id) {
    id
    cancelledAt
    fulfillments(first: 50) {
      status
      fulfillmentLineItems(first: 100) { nodes { quantity lineItem { id } } }
    }
    fulfillmentOrders(first: 50) {
      nodes {
        id
        status
        lineItems(first: 100) { nodes { id remainingQuantity lineItem { id } } }
      }
    }
  }
}
"""

PREPARE_FOR_PICKUP = """
mutation PrepareForPickup($input: FulfillmentOrderLineItemsPreparedForPickupInput!) {
  fulfillmentOrderLineItemsPreparedForPickup(input: $input) {
    userErrors { field message code }
  }
}
"""

FULFIL = """
mutation FulfilCollected($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}
"""

CANCEL_ORDER = """
mutation CancelOrder(
  $orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!,
  $refundMethod: OrderCancelRefundMethodInput!, $notifyCustomer: Boolean, $staffNote: String
) {
  orderCancel(
    orderId: $orderId, reason: $reason, restock: $restock, refundMethod: $refundMethod,
    notifyCustomer: $notifyCustomer, staffNote: $staffNote
  ) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""


def shopify_admin(settings: Settings, http: httpx.AsyncClient) -> "ShopifyAdmin | None":
    """The shop's Admin API when configured (domain and token, checked at start-up), else None."""
    if not (settings.shopify_shop_domain and settings.shopify_admin_token):
        return None
    return ShopifyAdmin(
        http,
        settings.shopify_shop_domain,
        settings.shopify_admin_token,
        settings.shopify_api_version,
        settings.shopify_admin_url,
    )


class ShopifyAdmin:
    """One shop's Admin API. `endpoint` overrides the shop's own URL (a stand-in server in tests)."""

    def __init__(
        self, http: httpx.AsyncClient, shop: str, token: str, version: str, endpoint: str | None = None
    ):
        self._http = http
        self._url = endpoint or f"https://{shop}/admin/api/{version}/graphql.json"
        self._headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json"}

    async def order(self, order_id: str) -> ChannelOrder:
        """The order's fulfillment state as Shopify holds it now."""
        data = await self._graphql(FULFILLMENT_STATE, {"id": order_id})
        if not data.get("order"):
            raise ShopifyOrderUnknown(f"Shopify knows no order {order_id}")
        return channel_order(data["order"])

    async def send(self, order_id: str, action: ChannelAction) -> None:
        """Send one change; a userError refuses it (ShopifyRefused)."""
        document, variables, field = _mutation(order_id, action)
        data = await self._graphql(document, variables)
        payload = data.get(field) or {}
        errors = payload.get("userErrors") or payload.get("orderCancelUserErrors") or []
        if errors:
            raise ShopifyRefused(f"{field}: " + "; ".join(_user_error(error) for error in errors))

    async def _graphql(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http.post(
                self._url,
                json={"query": document, "variables": variables},
                headers=self._headers,
                timeout=REQUEST_TIMEOUT,
            )
        except httpx.HTTPError as failed:
            raise ShopifyUnavailable(f"Shopify did not answer: {type(failed).__name__}: {failed}") from None
        _raise_for_status(response)
        try:
            body = response.json()
        except ValueError:
            raise ShopifyUnavailable(f"Shopify answered {response.status_code} without JSON") from None
        _raise_for_errors(body)
        return body.get("data") or {}


def _raise_for_status(response: httpx.Response) -> None:
    status = response.status_code
    if status in (401, 403):
        raise ShopifyAuthRefused(f"Shopify refused the access token ({status}): {response.text[:200]}")
    if status == 429:
        raise ShopifyThrottled("Shopify answered 429 Too Many Requests", _seconds(response.headers))
    if status == 404:
        raise ShopifyAuthRefused("no Admin API at this shop and version (404): check the shop domain")
    if status >= 500:
        raise ShopifyUnavailable(f"Shopify answered {status}")
    if status >= 400:
        raise ShopifyRefused(f"Shopify answered {status}: {response.text[:200]}")


def _raise_for_errors(body: dict[str, Any]) -> None:
    """GraphQL errors come with 200: throttling (retry after the cost refills), access denied, or a
    document Shopify refuses."""
    errors = body.get("errors")
    if not errors:
        return
    if isinstance(errors, str):  # some auth failures answer {"errors": "..."}
        raise ShopifyAuthRefused(f"Shopify: {errors}")
    codes = {(error.get("extensions") or {}).get("code") for error in errors}
    messages = "; ".join(str(error.get("message")) for error in errors)
    if "THROTTLED" in codes:
        raise ShopifyThrottled(f"Shopify throttled the request: {messages}", _refill_time(body))
    if codes & {"ACCESS_DENIED", "UNAUTHORIZED", "FORBIDDEN"}:
        raise ShopifyAuthRefused(f"Shopify denied access: {messages}")
    if codes & {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"}:
        raise ShopifyUnavailable(f"Shopify failed: {messages}")
    raise ShopifyRefused(f"Shopify refused the request: {messages}")


def _seconds(headers: Mapping[str, str]) -> float | None:
    try:
        return float(headers["retry-after"])
    except (KeyError, ValueError):
        return None


def _refill_time(body: dict[str, Any]) -> float | None:
    """How long until the bucket holds the request's cost, from `extensions.cost`."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(missing, 1.0) / float(status["restoreRate"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _user_error(error: dict[str, Any]) -> str:
    field = ".".join(map(str, error.get("field") or []))
    code = f" [{error['code']}]" if error.get("code") else ""
    return f"{field + ': ' if field else ''}{error.get('message')}{code}"


def _mutation(order_id: str, action: ChannelAction) -> tuple[str, dict[str, Any], str]:
    """The document, variables and payload field of one change."""
    if isinstance(action, PrepareForPickup):
        by_order = [{"fulfillmentOrderId": fo} for fo in action.fulfillment_orders]
        return (
            PREPARE_FOR_PICKUP,
            {"input": {"lineItemsByFulfillmentOrder": by_order}},
            "fulfillmentOrderLineItemsPreparedForPickup",
        )
    if isinstance(action, Fulfil):
        lines = [{"id": line, "quantity": quantity} for line, quantity in action.lines]
        fulfillment = {
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": action.fulfillment_order, "fulfillmentOrderLineItems": lines}
            ],
            "notifyCustomer": False,  # the OMS sends the receipt
        }
        return FULFIL, {"fulfillment": fulfillment}, "fulfillmentCreate"
    assert isinstance(action, CancelOrder)
    variables = {
        "orderId": order_id,
        "reason": action.reason.value,
        "restock": True,
        "refundMethod": {"originalPaymentMethodsRefund": True},
        "notifyCustomer": False,  # the OMS tells the customer
        "staffNote": action.staff_note,
    }
    return CANCEL_ORDER, variables, "orderCancel"


def channel_order(order: dict[str, Any]) -> ChannelOrder:
    """Shopify's answer to FULFILLMENT_STATE, as the sync rules read it."""
    fulfilled: dict[str, int] = {}
    for fulfillment in order.get("fulfillments") or []:
        if fulfillment.get("status") != "SUCCESS":
            continue
        for item in fulfillment["fulfillmentLineItems"]["nodes"]:
            line_item = item["lineItem"]["id"]
            fulfilled[line_item] = fulfilled.get(line_item, 0) + int(item["quantity"])
    return ChannelOrder(
        cancelled=order.get("cancelledAt") is not None,
        fulfillment_orders=tuple(
            FulfillmentOrder(
                id=fo["id"],
                status=fo["status"],
                lines=tuple(
                    FulfillmentLine(line["id"], line["lineItem"]["id"], int(line["remainingQuantity"]))
                    for line in fo["lineItems"]["nodes"]
                ),
            )
            for fo in order["fulfillmentOrders"]["nodes"]
        ),
        fulfilled=fulfilled,
    )
