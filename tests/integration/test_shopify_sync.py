"""A Shopify order through the real stack (API, Temporal dev server, worker, PostgreSQL) with a stand-in of
Shopify's Admin GraphQL API (tests/shopify_standin.py): the webhook places it, the store readies it
(Shopify throttles, then fails: both retried, the store never waits), the customer collects part of it;
Shopify receives exactly the expected calls, each validated against its schema. A cancelled one is
cancelled in Shopify."""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.channels.shopify_admin import ShopifyAdmin
from adapters.db import create_engine
from services.pickup_page import page_url
from tests.integration.conftest import _api, eventually, keep_history, settings_for
from tests.integration.flow import pickup_code
from tests.integration.test_channels import SECRET, shopify_order, signed
from tests.integration.test_stock import new_sku
from tests.shopify_standin import TOKEN, VERSION, ShopifyStandIn
from worker.main import build_worker

QUEUE = "oms-shopify-sync"  # a worker of its own, reporting to the stand-in


@dataclass
class Stack:
    api: httpx.AsyncClient
    shopify: ShopifyStandIn


@pytest.fixture(scope="module")
async def stack(client: Client, engine: AsyncEngine, database_url: str) -> AsyncIterator[Stack]:
    stand_in = ShopifyStandIn()
    worker_engine = create_engine(database_url)
    links = partial(page_url, "test-tracking-secret", "http://oms.test")
    settings = settings_for(client, database_url, task_queue=QUEUE)
    settings.shopify_webhook_secret = SECRET
    async with httpx.AsyncClient() as http:
        admin = ShopifyAdmin(http, "oms-test.myshopify.com", TOKEN, VERSION, stand_in.url)
        async with build_worker(client, worker_engine, QUEUE, links=links, shopify=admin):
            async for api in _api(settings, client, engine):
                yield Stack(api, stand_in)
    await worker_engine.dispose()
    assert stand_in.invalid == []  # every request validated against the schema subset
    stand_in.close()


async def place_in_shopify(stack: Stack, lines: dict[str, int]) -> tuple[str, str, dict[str, str]]:
    """A pickup order as Shopify holds it and sends it: (our order id, its GID, line item GID by SKU)."""
    number = int(uuid.uuid4().int % 10**15)
    gids = {sku: f"gid://shopify/LineItem/{number + index}" for index, sku in enumerate(lines)}
    items = [
        {
            "id": number + index,
            "admin_graphql_api_id": gids[sku],
            "sku": sku,
            "quantity": qty,
            "price": "10.00",
        }
        for index, (sku, qty) in enumerate(lines.items())
    ]
    order_gid = f"gid://shopify/Order/{number}"
    stack.shopify.shop.add_order(order_gid, [{gids[sku]: qty for sku, qty in lines.items()}])
    body = json.dumps(shopify_order(id=number, admin_graphql_api_id=order_gid, line_items=items)).encode()
    created = await stack.api.post("/v1/channels/shopify/orders", content=body, headers=signed(body))
    assert created.status_code == 201, created.text
    return created.json()["order_id"], order_gid, gids


async def store_step(stack: Stack, order_id: str, action: str, body: dict | None = None) -> dict:
    answer = await stack.api.post(f"/v1/stores/paris-rivoli/orders/{order_id}/{action}", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def calls_for(stack: Stack, order_gid: str) -> list[str]:
    """The mutations Shopify received for one order: those naming it or one of its fulfillment orders."""
    named = {order_gid, *(fo["id"] for fo in stack.shopify.shop.fulfillment_orders(order_gid))}
    return [
        call.field
        for call in stack.shopify.mutations()
        if any(f'"{gid}"' in json.dumps(call.variables) for gid in named)
    ]


async def test_a_shopify_order_is_prepared_then_fulfilled_with_the_lines_collected(
    stack: Stack, engine: AsyncEngine, client: Client
) -> None:
    tent = await new_sku(engine, on_hand=5, store_id="paris-rivoli")
    stove = await new_sku(engine, on_hand=5, store_id="paris-rivoli")
    order_id, order_gid, gids = await place_in_shopify(stack, {tent: 2, stove: 1})
    await store_step(stack, order_id, "accept")
    await store_step(
        stack, order_id, "pick", {"lines": [{"sku": tent, "quantity": 2}, {"sku": stove, "quantity": 1}]}
    )
    # Shopify's bucket is empty (THROTTLED), then it fails (500): the store is not kept waiting.
    stack.shopify.script = ["throttle", "500"]
    await store_step(stack, order_id, "ready", {"staging_location": "shelf B3"})
    [fo] = stack.shopify.shop.fulfillment_orders(order_gid)
    assert fo["status"] == "OPEN"  # the store had its answer; the report waits for its retry (2 s)

    await eventually(lambda: _async(fo["status"] == "IN_PROGRESS"))
    assert stack.shopify.served == ["throttle", "500"]  # both retried by Temporal
    code = await pickup_code(stack.api, order_id)
    collected = await store_step(
        stack,
        order_id,
        "collect",
        {"pickup_code": code, "lines": [{"sku": tent, "quantity": 1}, {"sku": stove, "quantity": 1}]},
    )
    assert collected["status"] == "collected"
    await eventually(
        lambda: _async(stack.shopify.shop.fulfilled(order_gid) == {gids[tent]: 1, gids[stove]: 1})
    )

    assert calls_for(stack, order_gid) == ["fulfillmentOrderLineItemsPreparedForPickup", "fulfillmentCreate"]
    assert fo["status"] == "IN_PROGRESS"  # one tent left: refunded by the OMS, unfulfilled in Shopify
    await client.get_workflow_handle(order_id).result()  # it ends once Shopify was told
    await keep_history(client, order_id, "shopify_partially_collected")


async def test_a_cancelled_shopify_order_is_cancelled_in_shopify(
    stack: Stack, engine: AsyncEngine, client: Client
) -> None:
    sku = await new_sku(engine, on_hand=2, store_id="paris-rivoli")
    order_id, order_gid, _ = await place_in_shopify(stack, {sku: 1})
    cancelled = await stack.api.post(
        f"/v1/orders/{order_id}/cancel", json={"reason": "out of stock after all"}
    )
    assert cancelled.status_code == 200, cancelled.text

    await eventually(lambda: _async(stack.shopify.shop.orders[order_gid]["cancelledAt"] is not None))
    [call] = [c for c in stack.shopify.mutations() if c.variables.get("orderId") == order_gid]
    assert (call.field, call.variables["reason"], call.variables["restock"]) == ("orderCancel", "STAFF", True)
    assert "out of stock after all" in call.variables["staffNote"]
    await client.get_workflow_handle(order_id).result()
    await keep_history(client, order_id, "shopify_cancelled")


async def _async(value: object) -> object:
    return value
