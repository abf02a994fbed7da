"""Orders from Shopify webhooks: signatures, mapping, duplicates, dead letters and their replay."""

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from api.door import body_limit
from tests.conftest import placement
from tests.integration.conftest import _api, settings_for
from tests.integration.test_door import Chunks

SECRET = "shopify-app-secret"


@pytest.fixture(scope="module")
async def shop_api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(client, database_url)
    settings.shopify_webhook_secret = SECRET
    settings.shopify_locations = {"905684977": "lyon-part-dieu"}
    async for http in _api(settings, client, engine):
        yield http


def shopify_order(location_title: str = "Pickup at Paris Rivoli", **overrides: Any) -> dict[str, Any]:
    order = {
        "id": int(uuid.uuid4().int % 10**15),
        "name": "#1001",
        "email": "jon@example.com",
        "currency": "EUR",
        "customer_locale": "fr-FR",
        "customer": {
            "first_name": "Jon",
            "last_name": "Snow",
            "phone": "+33611223344",
            "email": "jon@example.com",
        },
        "line_items": [{"sku": "BOTTLE-1L", "quantity": 2, "price": "19.90"}],
        "shipping_lines": [{"code": "Pickup", "title": location_title, "source": "shopify", "price": "0.00"}],
    }
    return {**order, **overrides}


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return {
        "X-Shopify-Hmac-Sha256": digest,
        "X-Shopify-Topic": "orders/create",
        "Content-Type": "application/json",
    }


async def post(api: httpx.AsyncClient, payload: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    body = json.dumps(payload).encode()
    return await api.post("/v1/channels/shopify/orders", content=body, headers=headers or signed(body))


async def test_a_shopify_pickup_order_becomes_our_order_once(shop_api: httpx.AsyncClient) -> None:
    payload = shopify_order()
    created = await post(shop_api, payload)
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["order_id"] == f"order-shopify-{payload['id']}" and order["status"] == "reserved"
    placement = order["placement"]
    assert placement["store_id"] == "paris-rivoli" and placement["customer"]["name"] == "Jon Snow"
    assert placement["customer"]["locale"] == "fr-FR"
    assert placement["lines"] == [{"sku": "BOTTLE-1L", "quantity": 2, "unit_price": "19.90"}]

    again = await post(shop_api, payload)  # Shopify retries deliveries
    assert again.status_code == 200 and again.json()["order_id"] == order["order_id"]


async def test_a_location_mapping_sends_the_order_to_its_store(shop_api: httpx.AsyncClient) -> None:
    payload = shopify_order("Retrait magasin")
    payload["shipping_lines"][0]["location_id"] = 905684977
    created = await post(shop_api, payload)
    assert created.status_code == 201 and created.json()["placement"]["store_id"] == "lyon-part-dieu"


async def test_unsigned_or_tampered_webhooks_are_refused_and_not_kept(shop_api: httpx.AsyncClient) -> None:
    before = len((await shop_api.get("/v1/dead-letters")).json())
    body = json.dumps(shopify_order()).encode()
    missing = await shop_api.post(
        "/v1/channels/shopify/orders", content=body, headers={"Content-Type": "application/json"}
    )
    assert missing.status_code == 401
    tampered = body.replace(b'"quantity": 2', b'"quantity": 20')
    assert (
        await shop_api.post("/v1/channels/shopify/orders", content=tampered, headers=signed(body))
    ).status_code == 403
    assert (await post(shop_api, json.loads(body), signed(body, "wrong-secret"))).status_code == 403
    assert len((await shop_api.get("/v1/dead-letters")).json()) == before
    assert (await post(shop_api, {}, None)).status_code in (422,)  # signed but empty: a dead letter


async def test_an_invalid_payload_names_every_bad_field_and_is_kept(shop_api: httpx.AsyncClient) -> None:
    payload = shopify_order(currency="euro", email="not-an-email")
    payload["customer"]["first_name"] = "\u202eJon"
    payload["line_items"].append({"sku": "TENT-2P", "quantity": 0, "price": "x"})
    refused = await post(shop_api, payload)
    assert refused.status_code == 422
    locations = {tuple(detail["loc"]) for detail in refused.json()["detail"]}
    assert {
        ("body", "currency"),
        ("body", "customer", "email"),
        ("body", "customer", "name"),
        ("body", "line_items", 1, "price"),
    } <= locations
    letters = (await shop_api.get("/v1/dead-letters")).json()
    kept = next(letter for letter in letters if letter["id"] == refused.json()["dead_letter_id"])
    assert kept["channel"] == "shopify" and kept["payload"]["id"] == payload["id"]


async def test_a_dead_letter_is_replayed_once_its_cause_is_fixed(shop_api: httpx.AsyncClient) -> None:
    payload = shopify_order("Pickup at Marseille Vieux-Port")
    refused = await post(shop_api, payload)
    assert refused.status_code == 422
    letter_id = refused.json()["dead_letter_id"]
    assert "no store matches" in refused.json()["message"]

    still = await shop_api.post(f"/v1/dead-letters/{letter_id}/replay")
    assert still.status_code == 422 and still.json()["dead_letter_id"] == letter_id

    app = shop_api._transport.app  # type: ignore[attr-defined]
    app.state.settings.shopify_locations["Pickup at Marseille Vieux-Port"] = "paris-rivoli"
    replayed = await shop_api.post(f"/v1/dead-letters/{letter_id}/replay")
    assert replayed.status_code == 201, replayed.text
    assert replayed.json()["order_id"] == f"order-shopify-{payload['id']}"
    assert letter_id not in [letter["id"] for letter in (await shop_api.get("/v1/dead-letters")).json()]
    assert (await shop_api.post(f"/v1/dead-letters/{letter_id}/replay")).status_code == 404


async def test_canonical_orders_that_fail_validation_are_kept_too(api: httpx.AsyncClient) -> None:
    refused = await api.post("/v1/orders", json={"channel": "webshop", "lines": []})
    assert refused.status_code == 422
    letter_id = refused.json()["dead_letter_id"]
    kept = next(letter for letter in (await api.get("/v1/dead-letters")).json() if letter["id"] == letter_id)
    assert kept["channel"] == "canonical" and kept["payload"] == {"channel": "webshop", "lines": []}
    assert {tuple(reason["loc"]) for reason in kept["reasons"]} >= {("body", "store_id"), ("body", "lines")}


async def test_an_unsigned_webhook_is_refused_before_its_body_is_read(shop_api: httpx.AsyncClient) -> None:
    stream = Chunks(64 * 1024, 40)
    refused = await shop_api.post(
        "/v1/channels/shopify/orders", content=stream, headers={"Content-Type": "application/json"}
    )
    assert refused.status_code == 401 and refused.json()["error"] == "signature_missing"
    assert stream.sent == 0


async def test_a_signed_webhook_beyond_its_limit_is_refused_while_streaming(
    shop_api: httpx.AsyncClient,
) -> None:
    limit = body_limit("POST", "/v1/channels/{channel}/orders")
    stream = Chunks(64 * 1024, limit // (64 * 1024) + 50)
    headers = {"X-Shopify-Hmac-Sha256": "c2lnbmF0dXJl", "Content-Type": "application/json"}
    refused = await shop_api.post("/v1/channels/shopify/orders", content=stream, headers=headers)
    assert refused.status_code == 413 and refused.json()["limit"] == limit
    assert stream.sent <= limit // (64 * 1024) + 2


async def test_the_first_of_two_simultaneous_deliveries_creates_the_order(
    shop_api: httpx.AsyncClient,
) -> None:
    payload = shopify_order()
    first, second = await asyncio.gather(post(shop_api, payload), post(shop_api, payload))
    assert sorted([first.status_code, second.status_code]) == [200, 201], (first.text, second.text)
    assert first.json()["order_id"] == second.json()["order_id"]


async def test_a_name_with_a_right_to_left_override_is_refused_naming_the_field(
    shop_api: httpx.AsyncClient, api: httpx.AsyncClient
) -> None:
    payload = shopify_order()
    payload["customer"]["first_name"] = "\u202enoJ"
    refused = await post(shop_api, payload)
    assert refused.status_code == 422
    [detail] = refused.json()["detail"]
    assert detail["loc"] == ["body", "customer", "name"] and "U+202E" in detail["msg"]

    order = placement().model_dump(mode="json")
    order["customer"]["name"] = "Camille\nMartin"
    refused = await api.post("/v1/orders", json=order)
    assert refused.status_code == 422
    assert [d["loc"] for d in refused.json()["detail"]] == [["body", "customer", "name"]]
    assert "line break" in refused.json()["message"]
