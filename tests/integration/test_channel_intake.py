"""Orders as channels send them, through the whole system: contacts by email or phone (read in E.164 in
the store's country, or kept without SMS), products by variant id or barcode, dead letters ranked by
cause and replayed as a group after a mapping."""

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import stock
from domain.values import OrderPlacement
from tests.conftest import placement
from tests.integration.conftest import _api, add_store, eventually, settings_for
from tests.integration.flow import place, prepare
from tests.integration.test_channels import SECRET, signed
from tests.integration.test_stock import receipt
from tests.unit.test_channel_rules import shopify_body

STORE, STORE_NAME = "paris-test-opera", "Test Opera"


@pytest.fixture(scope="module")
async def opera(engine: AsyncEngine) -> str:
    """A pickup store in France (its country reads local phone numbers), with stock."""
    await add_store(
        engine,
        STORE,
        name=STORE_NAME,
        address="1 place de l'Opéra",
        latitude=48.87,
        longitude=2.33,
        country="FR",
    )
    async with engine.begin() as conn:
        await stock.record(
            conn, [receipt(STORE, sku, 500) for sku in ("TENT-2P", "BOTTLE-1L", "HEADLAMP-300")]
        )
    return STORE


@pytest.fixture(scope="module")
async def shop(
    client: Client, engine: AsyncEngine, database_url: str, worker: None, opera: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(client, database_url)
    settings.shopify_webhook_secret = SECRET
    async for http in _api(settings, client, engine):
        mapped = await http.put("/v1/channels/shopify/products/40427362451633", json={"sku": "BOTTLE-1L"})
        assert mapped.status_code == 200, mapped.text  # the example's bottle, sent with an empty SKU
        yield http


def shopify_order(**overrides: Any) -> dict[str, Any]:
    body = shopify_body(id=int(uuid.uuid4().int % 10**15), **overrides)
    body["shipping_lines"][0].update(title=f"Pickup at {STORE_NAME}", code=f"Pickup at {STORE_NAME}")
    return body


async def post(api: httpx.AsyncClient, payload: Any) -> httpx.Response:
    body = json.dumps(payload).encode()
    return await api.post("/v1/channels/shopify/orders", content=body, headers=signed(body))


async def ready_message_channels(api: httpx.AsyncClient, order: OrderPlacement) -> list[str]:
    """Prepare the order; the channels its ready-for-pickup message (one to act on) went out on."""
    await prepare(api, order)

    async def sent() -> list[str]:
        messages = (await api.get(f"/v1/orders/{order.order_id}/notifications")).json()
        return sorted(m["channel"] for m in messages if m["kind"] == "ready_for_pickup")

    return await eventually(sent)


def canonical(**customer: Any) -> OrderPlacement:
    order = placement(store_id=STORE, lines=[("BOTTLE-1L", 1)])
    fields = {"name": "Camille Martin", "locale": "fr", **customer}
    return order.model_copy(update={"customer": order.customer.model_validate(fields)})


async def test_an_email_only_order_is_reserved_and_gets_only_email(shop: httpx.AsyncClient) -> None:
    order = canonical(email="camille@example.com")
    placed = await place(shop, order)
    assert placed.status_code == 201 and placed.json()["status"] == "reserved", placed.text
    assert await ready_message_channels(shop, order) == ["email"]


async def test_a_local_phone_is_read_in_the_stores_country_and_gets_sms(shop: httpx.AsyncClient) -> None:
    order = canonical(email="camille@example.com", phone="06 12 34 56 78")
    placed = await place(shop, order)
    assert placed.status_code == 201, placed.text
    assert placed.json()["placement"]["customer"]["phone"] == "+33612345678"
    stored = OrderPlacement.model_validate(placed.json()["placement"])
    assert await ready_message_channels(shop, stored) == ["email", "sms"]


async def test_an_unreadable_phone_is_kept_skips_sms_and_support_sees_why(shop: httpx.AsyncClient) -> None:
    payload = shopify_order(phone="0611")  # Shopify's example customer: email, no phone of their own
    created = await post(shop, payload)
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["placement"]["customer"]["phone"] == "0611"
    assert "could not be read as a number of FR" in order["timeline"][0]["reason"]
    alerts = (await shop.get("/v1/support/alerts")).json()
    assert any(a["order_id"] == order["order_id"] and a["kind"] == "contact_unusable" for a in alerts)
    assert await ready_message_channels(shop, OrderPlacement.model_validate(order["placement"])) == ["email"]


async def test_empty_skus_are_resolved_by_variant_id_or_barcode(shop: httpx.AsyncClient) -> None:
    variant = str(uuid.uuid4().int % 10**13)
    mapped = await shop.put(f"/v1/channels/shopify/products/{variant}", json={"sku": "BOTTLE-1L"})
    assert mapped.status_code == 200, mapped.text
    payload = shopify_order()
    payload["line_items"][1]["variant_id"] = int(variant)
    created = await post(shop, payload)
    assert created.status_code == 201, created.text
    lines = {line["sku"]: line["quantity"] for line in created.json()["placement"]["lines"]}
    assert lines == {"TENT-2P": 1, "BOTTLE-1L": 3, "HEADLAMP-300": 1}  # by SKU, variant, barcode


async def test_a_group_of_dead_letters_is_replayed_after_adding_a_mapping(shop: httpx.AsyncClient) -> None:
    variant = str(uuid.uuid4().int % 10**13)
    payloads = [shopify_order() for _ in range(2)]
    letters = []
    for payload in payloads:
        payload["line_items"][1]["variant_id"] = int(variant)
        refused = await post(shop, payload)
        assert refused.status_code == 422, refused.text
        letters.append(refused.json()["dead_letter_id"])

    ranked = (await shop.get("/v1/dead-letters/groups")).json()
    [group] = [g for g in ranked if set(letters) <= set(g["letters"])]
    assert group["channel"] == "shopify" and group["field"] == "line_items.*.sku"
    assert float(group["value_at_stake"]["EUR"]) >= 2 * 208.90 and group["count"] >= 2
    assert group["first_seen"] <= group["last_seen"]
    alerts = [a for a in (await shop.get("/v1/support/alerts")).json() if group["id"] in a["detail"]]
    assert len(alerts) == 1 and alerts[0]["kind"] == "new_intake_failure"  # once, however many letters

    assert (
        await shop.put(f"/v1/channels/shopify/products/{variant}", json={"sku": "BOTTLE-1L"})
    ).status_code == 200
    outcomes = (await shop.post(f"/v1/dead-letters/groups/{group['id']}/replay")).json()
    mine = {o["dead_letter_id"]: o for o in outcomes if o["dead_letter_id"] in letters}
    assert [mine[i]["outcome"] for i in letters] == ["placed", "placed"]
    assert [mine[i]["order_id"] for i in letters] == [f"order-shopify-{p['id']}" for p in payloads]
    assert (await shop.post(f"/v1/dead-letters/groups/{group['id']}/replay")).status_code == 404
