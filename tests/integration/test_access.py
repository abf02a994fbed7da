"""Every route with every role: 401 without a key, 403 for a role (or store, or channel) it is not for."""

import re
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import inventory
from api.access import ROUTE_ROLES
from domain.access import Role
from domain.stock import StockLevel
from tests.conftest import placement
from tests.integration.conftest import KEYS
from tests.integration.flow import place

PUBLIC = (
    "/v1/webhooks/",
    "/v1/track/",
    "/v1/channels/{channel}/orders",
    "/healthz",
    "/docs",
    "/openapi.json",
    "/redoc",
)
ROLE_KEYS = {
    Role.OPS: "test-ops",
    Role.SUPPORT: "test-support",
    Role.CHANNEL: "test-channel-webshop",
    Role.STORE: "test-store-paris",
}


def routes(api: httpx.AsyncClient) -> list[tuple[str, str]]:
    """Every operation of the API, from its OpenAPI document."""
    app = api._transport.app  # type: ignore[attr-defined]
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(("/v1/", "/codec/", "/metrics"))
        if not path.startswith(PUBLIC)
        for method in operations
    ]


def test_every_route_declares_its_roles(api: httpx.AsyncClient) -> None:
    undeclared = [route for route in routes(api) if route not in ROUTE_ROLES]
    assert undeclared == []
    stale = [route for route in ROUTE_ROLES if route not in routes(api)]
    assert stale == []


async def test_every_route_with_every_role(api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])  # channel webshop, store paris-rivoli
    assert (await place(api, order)).status_code == 201
    values = {
        "order_id": order.order_id,
        "store_id": "paris-rivoli",
        "sku": "TENT-2P",
        "hold_id": "hold-00000000000000000000000000000000",
        "dead_letter_id": "999999",
        "group_id": "0" * 16,
        "channel": "shopify",
        "variant_id": "1",
        "return_id": "return-none-1",
        "day": "2000-01-01",  # a special day long past: an ops call with an empty body sets it
        "key_id": "000000000000",
        "subscription_id": "sub-" + "0" * 24,
    }
    checked = 0
    for method, path in routes(api):
        url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
        body: dict[str, object] | None = {} if method in ("POST", "PUT") else None
        anonymous = await api.request(method, url, json=body, headers={"X-API-Key": ""})
        assert anonymous.status_code == 401, (method, path)
        wrong_key = await api.request(method, url, json=body, headers={"X-API-Key": "no-such-key"})
        assert wrong_key.status_code == 401, (method, path)
        for role, key in ROLE_KEYS.items():
            answer = await api.request(method, url, json=body, headers={"X-API-Key": key})
            if role in ROUTE_ROLES[(method, path)]:
                assert answer.status_code not in (401, 403), (method, path, role, answer.text)
            else:
                assert answer.status_code == 403, (method, path, role, answer.status_code)
            checked += 1
    assert checked == 4 * len(ROUTE_ROLES)


async def test_store_staff_reach_only_their_store(api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    lyon = {"X-API-Key": "test-store-lyon"}
    assert (await api.get("/v1/stores/paris-rivoli/orders", headers=lyon)).status_code == 403
    assert (
        await api.post(f"/v1/stores/paris-rivoli/orders/{order.order_id}/accept", headers=lyon)
    ).status_code == 403
    assert (
        await api.post(f"/v1/stores/lyon-part-dieu/orders/{order.order_id}/accept", headers=lyon)
    ).status_code == 403
    assert (await api.get(f"/v1/orders/{order.order_id}", headers=lyon)).status_code == 403
    assert (await api.put("/v1/stores/paris-rivoli/stock/TENT-2P", json={}, headers=lyon)).status_code == 403

    paris = (await api.get(f"/v1/orders/{order.order_id}", headers={"X-API-Key": "test-store-paris"})).json()
    customer = paris["placement"]["customer"]
    assert customer["name"] == "Camille Martin"
    assert "@" not in customer["email"] and "+33" not in customer["phone"]
    support = (await api.get(f"/v1/orders/{order.order_id}", headers={"X-API-Key": "test-support"})).json()
    assert support["placement"]["customer"]["email"] == "camille@example.com"
    queue = (
        await api.get("/v1/stores/paris-rivoli/orders", headers={"X-API-Key": "test-store-paris"})
    ).json()
    assert all("@" not in entry["placement"]["customer"]["email"] for entry in queue)


async def test_channels_reach_only_their_own_orders(api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    webshop, app_key = {"X-API-Key": "test-channel-webshop"}, {"X-API-Key": "test-channel-app"}
    assert (
        await api.post("/v1/orders", json=order.model_dump(mode="json"), headers=webshop)
    ).status_code == 201
    assert (await api.get(f"/v1/orders/{order.order_id}", headers=webshop)).status_code == 200
    assert (await api.get(f"/v1/orders/{order.order_id}", headers=app_key)).status_code == 403
    foreign = placement(channel="webshop").model_dump(mode="json")
    refused = await api.post("/v1/orders", json=foreign, headers=app_key)
    assert refused.status_code == 403 and "app" in refused.json()["message"]


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_test_key_has_a_role(key: str) -> None:
    assert KEYS[key].role in Role


async def test_a_store_key_sees_its_own_stores_replenishment_alerts_only(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        for store_id in ("paris-rivoli", "lyon-part-dieu"):
            sku = f"ALERT-{uuid.uuid4().hex[:8]}"
            await conn.execute(
                text("INSERT INTO products (sku, name, unit_price, currency) VALUES (:s, 't', 1, 'EUR')"),
                {"s": sku},
            )
            level = StockLevel(store_id=store_id, sku=sku, on_hand=1, reserved=0, safety_stock=2)
            await inventory.open_alert(conn, level)
    paris = {"X-API-Key": "test-store-paris"}
    mine = await api.get("/v1/inventory/alerts", headers=paris)
    assert mine.status_code == 200 and {alert["store_id"] for alert in mine.json()} == {"paris-rivoli"}
    other = await api.get("/v1/inventory/alerts", params={"store_id": "lyon-part-dieu"}, headers=paris)
    assert other.status_code == 403
    everyone = (await api.get("/v1/inventory/alerts")).json()  # ops
    assert {"paris-rivoli", "lyon-part-dieu"} <= {alert["store_id"] for alert in everyone}
