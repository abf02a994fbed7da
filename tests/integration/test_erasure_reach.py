"""Erasure reaches dead letters, and customer keys are wrapped by a master key a database backup does
not hold (issue 19 #5)."""

import json
import os
import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.codec import parse_keys
from adapters.customer_keys import CustomerKeyStore, MasterKeys, customer_ref
from adapters.db.tables import customer_keys
from tests.conftest import placement
from tests.integration.conftest import PAYLOAD_KEYS
from tests.integration.flow import place
from tests.integration.test_channels import post, shop_api, shopify_order  # noqa: F401 - the fixture

SUPPORT = {"X-API-Key": "test-support"}


async def test_erasure_redacts_the_dead_letters_that_name_the_customer(
    api: httpx.AsyncClient,
    shop_api: httpx.AsyncClient,  # noqa: F811
) -> None:
    email = f"letter-{uuid.uuid4().hex[:8]}@example.com"
    order = placement(lines=[("NO-SUCH-SKU", 1)]).model_dump(mode="json")
    order["customer"] = {**order["customer"], "email": email, "phone": "+33 6 12"}  # the phone refused
    canonical = await api.post("/v1/orders", json=order)
    assert canonical.status_code == 422
    customer = {"first_name": "Jon", "last_name": "Snow", "phone": "+33611223344", "email": email}
    shopify = await post(shop_api, shopify_order("Pickup at Nowhere", email=email, customer=customer))
    assert shopify.status_code == 422
    other = await api.post("/v1/orders", json={**order, "customer": {**order["customer"], "email": "x@y.fr"}})
    letters = {canonical.json()["dead_letter_id"], shopify.json()["dead_letter_id"]}

    erased = await api.post("/v1/customers/erasure", json={"email": email}, headers=SUPPORT)
    assert erased.status_code == 200 and sorted(erased.json()["dead_letters"]) == sorted(letters)
    kept = (await api.get("/v1/dead-letters", params={"status": "all", "limit": 500})).json()
    mine = [letter for letter in kept if letter["id"] in letters]
    assert len(mine) == 2 and {letter["status"] for letter in mine} == {"erased"}
    for secret in (email, "Camille", "Martin", "+33 6 12", "Jon", "Snow", "+33611223344"):
        assert secret not in json.dumps(mine)
    assert mine[0]["reasons"] and "NO-SUCH-SKU" in json.dumps(mine)  # what failed is still told
    untouched = [letter for letter in kept if letter["id"] == other.json()["dead_letter_id"]]
    assert "Camille" in json.dumps(untouched)
    replay = await api.post(f"/v1/dead-letters/{canonical.json()['dead_letter_id']}/replay")
    assert replay.status_code == 404


async def test_customer_keys_are_stored_wrapped_by_the_master_key(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    email = f"wrapped-{uuid.uuid4().hex[:8]}@example.com"
    order = placement(lines=[("BOTTLE-1L", 1)])
    order = order.model_copy(update={"customer": order.customer.model_copy(update={"email": email})})
    assert (await place(api, order)).status_code == 201
    async with engine.connect() as conn:
        stored = await conn.scalar(
            select(customer_keys.c.key).where(customer_keys.c.customer_ref == customer_ref(email))
        )
    assert stored is not None and len(stored) > 32  # a bare AES-256 key is 32 bytes
    master = MasterKeys(parse_keys(PAYLOAD_KEYS), "test-k1")
    key = master.unwrap(customer_ref(email), stored)
    assert len(key) == 32 and key not in stored
    assert (await api.get(f"/v1/orders/{order.order_id}")).status_code == 200


async def test_a_bare_key_from_before_is_read_and_rewrapped_and_a_rotation_rewraps_it(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    k1 = parse_keys(PAYLOAD_KEYS)
    ref, bare = await _bare_key(engine)
    assert await CustomerKeyStore(engine, MasterKeys(k1, "test-k1")).key_for(ref, create=False) == bare
    assert (await _stored(engine, ref)) != bare  # rewrapped as it was read

    rotated = {**k1, "k2": os.urandom(32)}  # rotation: a new active key, the old one still known
    assert await CustomerKeyStore(engine, MasterKeys(rotated, "k2")).key_for(ref, create=False) == bare
    only_k2 = CustomerKeyStore(engine, MasterKeys({"k2": rotated["k2"]}, "k2"))
    assert await only_k2.key_for(ref, create=False) == bare  # the retired master key is no longer needed

    other, _ = await _bare_key(engine)
    rewrap = await api.post("/v1/customers/keys/rewrap", headers={"X-API-Key": "test-ops"})
    assert rewrap.status_code == 200 and rewrap.json()["rewrapped"] >= 1
    assert len(await _stored(engine, other) or b"") > 32
    assert (await api.post("/v1/customers/keys/rewrap", headers=SUPPORT)).status_code == 403


async def _bare_key(engine: AsyncEngine) -> tuple[str, bytes]:
    """A customer key as stored before keys were wrapped."""
    ref, key = customer_ref(f"old-{uuid.uuid4().hex[:8]}@example.com"), os.urandom(32)
    async with engine.begin() as conn:
        await conn.execute(insert(customer_keys).values(customer_ref=ref, key=key))
    return ref, key


async def _stored(engine: AsyncEngine, ref: str) -> bytes | None:
    async with engine.connect() as conn:
        return await conn.scalar(select(customer_keys.c.key).where(customer_keys.c.customer_ref == ref))
