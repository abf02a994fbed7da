"""At the door: nobody writes without a key, and no body is read beyond its route's limit."""

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.tables import dead_letters
from api.access import ROUTE_ROLES
from api.door import DEFAULT_LIMIT, body_limit

WRITES = sorted(route for route in ROUTE_ROLES if route[0] in ("POST", "PUT", "PATCH", "DELETE"))
VALUES = {
    "order_id": "order-webshop-T-0",
    "store_id": "paris-rivoli",
    "sku": "TENT-2P",
    "hold_id": "hold-00000000000000000000000000000000",
    "dead_letter_id": "1",
    "group_id": "0" * 16,
    "channel": "shopify",
    "variant_id": "1",
    "day": "2000-01-01",
    "key_id": "000000000000",
    "subscription_id": "sub-" + "0" * 24,
}
NO_KEY = {"X-API-Key": "", "Content-Type": "application/json"}


def url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: VALUES[m.group(1)], path)


async def kept(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(dead_letters)) or 0)


async def test_a_malformed_order_without_a_key_is_refused_and_not_kept(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    before = await kept(engine)
    refused = await api.post("/v1/orders", content=b'{"channel": "webshop", ', headers=NO_KEY)
    assert refused.status_code == 401, refused.text
    assert refused.json()["error"] == "unauthenticated"
    wrong = await api.post("/v1/orders", content=b"[[[", headers={**NO_KEY, "X-API-Key": "nope"})
    assert wrong.status_code == 401
    assert await kept(engine) == before


async def test_a_key_of_another_role_leaves_no_dead_letter(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    before = await kept(engine)
    store = {"X-API-Key": "test-store-paris", "Content-Type": "application/json"}
    refused = await api.post("/v1/orders", content=b"{not json", headers=store)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert await kept(engine) == before


@pytest.mark.parametrize(("method", "path"), WRITES)
async def test_every_writing_route_refuses_a_malformed_body_without_a_key(
    api: httpx.AsyncClient, method: str, path: str
) -> None:
    answer = await api.request(method, url(path), content=b"{", headers=NO_KEY)
    assert answer.status_code == 401, (method, path, answer.text)
    assert answer.json()["error"] == "unauthenticated"


async def test_a_body_declared_beyond_the_limit_is_refused_with_the_limit(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    before = await kept(engine)
    limit = body_limit("POST", "/v1/orders")
    body = json.dumps({"channel": "webshop", "junk": "x" * limit}).encode()
    refused = await api.post("/v1/orders", content=body, headers={"Content-Type": "application/json"})
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"] == "body_too_large"
    assert refused.json()["limit"] == limit and str(limit) in refused.json()["message"]
    assert await kept(engine) == before


class Chunks:
    """A streamed body without Content-Length that counts how much of it the server pulled."""

    def __init__(self, chunk: int, count: int) -> None:
        self.chunk, self.count, self.sent = chunk, count, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.sent += 1
            yield b"x" * self.chunk


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/orders", {}),
        ("/v1/inventory/events", {}),
        ("/codec/decode", {}),
        ("/v1/stores/paris-rivoli/orders/order-webshop-T-0/pick", {}),
    ],
)
async def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit(
    api: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    limit = body_limit("POST", re.sub(r"/paris-rivoli/orders/[^/]+/", "/{store_id}/orders/{order_id}/", path))
    stream = Chunks(64 * 1024, limit // (64 * 1024) + 50)
    refused = await api.post(path, content=stream, headers={"Content-Type": "application/json", **headers})
    assert refused.status_code == 413, refused.text
    assert refused.json() == {
        "error": "body_too_large",
        "message": f"the request body exceeds {limit} bytes, the limit of this route",
        "limit": limit,
    }
    assert stream.sent <= limit // (64 * 1024) + 2  # refused while streaming, not after reading it all


async def test_every_route_has_a_limit_and_small_bodies_pass(api: httpx.AsyncClient) -> None:
    assert body_limit("POST", "/v1/orders/{order_id}/cancel") == DEFAULT_LIMIT
    assert body_limit("POST", "/v1/inventory/events") > DEFAULT_LIMIT
    answer = await api.post("/v1/orders", json={"channel": "webshop"})
    assert answer.status_code == 422  # read and validated as usual
