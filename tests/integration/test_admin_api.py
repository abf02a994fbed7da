"""The admin API through HTTP: stores, products, locations and special days (upserts validated like
import rows), inactive products refused at intake, and API keys from creation to revocation."""

import asyncio
import uuid
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.access import key_digest
from services import api_keys
from services.api_keys import KeyRing
from tests.conftest import placement
from tests.integration.flow import place
from tests.integration.test_import import gtin

STORE = {
    "name": "Admin test store",
    "city": "Paris",
    "address": "3 rue du Test",
    "latitude": 48.85,
    "longitude": 2.35,
    "timezone": "Europe/Paris",
    "opening_hours": [{"weekday": day, "opens": "09:00", "closes": "19:00"} for day in range(6)],
    "email": "admin-test@example.com",
    "orders_per_hour": 8,
    "slots": [{"weekday": 0, "minutes": 15, "capacity": 2}],
}


def loc(response: httpx.Response) -> list[list[str | int]]:
    return [detail["loc"] for detail in response.json()["detail"]]


async def test_a_store_is_created_then_changed_field_by_field(api: httpx.AsyncClient) -> None:
    store_id = f"adm-{uuid.uuid4().hex[:8]}"
    created = await api.put(f"/v1/admin/stores/{store_id}", json=STORE)
    assert created.status_code == 201, created.text
    assert created.json()["slots"] == [{"weekday": 0, "minutes": 15, "capacity": 2}]
    same = await api.put(f"/v1/admin/stores/{store_id}", json=STORE)
    assert same.status_code == 200
    changed = await api.put(f"/v1/admin/stores/{store_id}", json={**STORE, "orders_per_day": 50})
    assert changed.status_code == 200 and changed.json()["orders_per_day"] == 50
    assert changed.json()["orders_per_hour"] == 8 and changed.json()["email"] == STORE["email"]
    christmas = await api.put(
        f"/v1/admin/stores/{store_id}/special-days/2026-12-25", json={"note": "Christmas Day"}
    )
    assert christmas.status_code == 201 and christmas.json()["special_days"][0]["hours"] == []
    fetched = (await api.get(f"/v1/admin/stores/{store_id}")).json()
    assert fetched["special_days"] == [{"date": "2026-12-25", "hours": [], "note": "Christmas Day"}]
    assert store_id in [store["id"] for store in (await api.get("/v1/admin/stores")).json()]
    public = (await api.get(f"/v1/stores/{store_id}")).json()  # the directory every role reads
    assert public["name"] == STORE["name"]


async def test_admin_bodies_are_refused_naming_the_field(api: httpx.AsyncClient) -> None:
    bad_store = await api.put(
        "/v1/admin/stores/adm-bad", json={**STORE, "latitude": 123, "timezone": "Mars/Olympus"}
    )
    assert bad_store.status_code == 422
    assert loc(bad_store) == [["body", "latitude"], ["body", "timezone"]]
    bad_id = await api.put("/v1/admin/stores/bad id!", json=STORE)
    assert bad_id.status_code == 422 and loc(bad_id) == [["path", "store_id"]]
    product = {"name": "Thing", "unit_price": "5.00", "currency": "EUR", "barcodes": ["3760123451018"]}
    bad_barcode = await api.put(f"/v1/admin/products/ADM-{uuid.uuid4().hex[:6]}", json=product)
    assert bad_barcode.status_code == 422 and loc(bad_barcode) == [["body", "barcodes", 0]]
    assert "check digit" in bad_barcode.json()["detail"][0]["msg"]
    taken = await api.put(
        f"/v1/admin/products/ADM-{uuid.uuid4().hex[:6]}", json={**product, "barcodes": ["3760123451017"]}
    )
    assert taken.status_code == 422 and loc(taken) == [["body", "barcodes", 0]]
    assert "TENT-2P" in taken.json()["message"]
    unknown = await api.put("/v1/admin/stores/paris-rivoli/locations/NO-SUCH-SKU", json={"location": "A1"})
    assert unknown.status_code == 422 and loc(unknown) == [["body", "sku"]]
    store_key = await api.get("/v1/admin/products", headers={"X-API-Key": "test-store-paris"})
    assert store_key.status_code == 403


async def test_an_inactive_product_cannot_be_ordered(api: httpx.AsyncClient) -> None:
    sku = f"ADM-{uuid.uuid4().hex[:8]}"
    body = {"name": "Old model", "unit_price": "10.00", "currency": "EUR", "barcodes": [gtin(), gtin()]}
    assert (await api.put(f"/v1/admin/products/{sku}", json=body)).status_code == 201
    assert (await api.put(f"/v1/admin/products/{sku}", json={**body, "active": False})).status_code == 200
    assert (await api.get(f"/v1/admin/products/{sku}")).json()["active"] is False
    page = (await api.get("/v1/admin/products", params={"after": sku[:-1], "limit": 2})).json()
    assert sku in [product["sku"] for product in page] and len(page) <= 2
    order = placement(lines=[("TENT-2P", 1), (sku, 1)])
    refused = await place(api, order)
    assert refused.status_code == 422, refused.text
    assert loc(refused) == [["body", "lines", 1, "sku"]]
    assert "inactive" in refused.json()["detail"][0]["msg"]


async def test_an_api_key_works_until_rotated_or_revoked_and_its_secret_is_never_listed(
    api: httpx.AsyncClient,
) -> None:
    created = await api.post(
        "/v1/admin/api-keys", json={"name": "pos-paris", "role": "store", "store_id": "paris-rivoli"}
    )
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["key"].startswith(first["prefix"]) and len(first["key"]) > 50
    as_first = {"X-API-Key": first["key"]}
    assert (await api.get("/v1/stores/paris-rivoli/orders", headers=as_first)).status_code == 200
    assert (await api.get("/v1/stores/lyon-part-dieu/orders", headers=as_first)).status_code == 403
    listed = (await api.get("/v1/admin/api-keys")).json()
    mine = [key for key in listed if key["id"] == first["id"]]
    assert mine and "key" not in mine[0] and first["key"] not in str(listed)

    rotated = (await api.post(f"/v1/admin/api-keys/{first['id']}/rotate")).json()
    as_second = {"X-API-Key": rotated["key"]}
    assert (rotated["role"], rotated["store_id"]) == ("store", "paris-rivoli")
    assert (await api.get("/v1/stores/paris-rivoli/orders", headers=as_first)).status_code == 401
    assert (await api.get("/v1/stores/paris-rivoli/orders", headers=as_second)).status_code == 200
    again = await api.post(f"/v1/admin/api-keys/{first['id']}/rotate")
    assert again.status_code == 409 and again.json()["error"] == "api_key_revoked"

    revoked = await api.post(f"/v1/admin/api-keys/{rotated['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await api.get("/v1/stores/paris-rivoli/orders", headers=as_second)).status_code == 401
    listed_after = {key["id"]: key for key in (await api.get("/v1/admin/api-keys")).json()}
    assert listed_after[first["id"]]["replaced_by"] == rotated["id"]


async def test_a_new_key_needs_its_binding(api: httpx.AsyncClient) -> None:
    no_store = await api.post(
        "/v1/admin/api-keys", json={"name": "x", "role": "store", "store_id": "nowhere"}
    )
    assert no_store.status_code == 422 and loc(no_store) == [["body", "store_id"]]
    no_channel = await api.post("/v1/admin/api-keys", json={"name": "x", "role": "channel"})
    assert no_channel.status_code == 422 and loc(no_channel) == [["body", "channel"]]
    bad_role = await api.post("/v1/admin/api-keys", json={"name": "x", "role": "admin"})
    assert bad_role.status_code == 422 and loc(bad_role) == [["body", "role"]]


async def test_a_revocation_reaches_every_process_within_the_refresh(engine: AsyncEngine) -> None:
    """Another API process has its own ring: it reads the keys at most once per refresh, no query per
    request, and refuses a key revoked elsewhere once its refresh is over."""
    from domain.access import Grant, Role

    async with engine.begin() as conn:
        issued = await api_keys.create_key(conn, Grant(role=Role.OPS, name="elsewhere"))
    ring = KeyRing(engine, refresh=timedelta(seconds=0.5))
    digest = key_digest(issued.key)
    assert (await ring.grant(digest)) is not None
    async with engine.begin() as conn:
        await api_keys.revoke_key(conn, issued.info.id)
    assert (await ring.grant(digest)) is not None  # within the refresh: what it read stands
    await asyncio.sleep(0.6)
    assert (await ring.grant(digest)) is None
