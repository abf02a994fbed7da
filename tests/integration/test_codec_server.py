"""The codec server is for operators' Temporal UI: ops encode (never customer data), support only
decode, and browsers reach only the codec routes, from the Temporal UI's own origin."""

import base64
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.customer_keys import customer_ref
from adapters.db.tables import customer_keys
from tests.integration.conftest import _api, settings_for


def payloads(document: object) -> dict[str, list[dict[str, object]]]:
    return {
        "payloads": [
            {
                "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
                "data": base64.b64encode(json.dumps(document).encode()).decode(),
            }
        ]
    }


async def test_support_decodes_but_does_not_encode(api: httpx.AsyncClient) -> None:
    plain = payloads({"reason": "customer called", "actor": "support:ana"})
    refused = await api.post("/codec/encode", json=plain, headers={"X-API-Key": "test-support"})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    encoded = await api.post("/codec/encode", json=plain, headers={"X-API-Key": "test-ops"})
    assert encoded.status_code == 200
    decoded = await api.post("/codec/decode", json=encoded.json(), headers={"X-API-Key": "test-support"})
    assert decoded.json() == plain


async def test_encoding_customer_data_is_refused_and_creates_no_key(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    email = f"someone-{uuid.uuid4().hex[:8]}@example.com"
    customer = {"name": "Someone", "email": email, "phone": "+33600000000", "locale": "fr"}
    refused = await api.post("/codec/encode", json=payloads({"order": {"customer": customer}}))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "customer_data" and "payloads[0]" in refused.json()["message"]
    async with engine.connect() as conn:
        row = await conn.scalar(
            select(customer_keys.c.customer_ref).where(customer_keys.c.customer_ref == customer_ref(email))
        )
    assert row is None


@pytest.fixture(scope="module")
async def ui_port_api(
    client: Client, engine: AsyncEngine, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(client, database_url)
    settings.temporal_ui_port = 9233  # `oms up --temporal-ui-port 9233`, no explicit origins
    async for http in _api(settings, client, engine):
        yield http


def preflight(origin: str) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "POST", "X-API-Key": ""}


async def test_cors_follows_the_configured_ui_port(ui_port_api: httpx.AsyncClient) -> None:
    allowed = await ui_port_api.options("/codec/decode", headers=preflight("http://localhost:9233"))
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:9233"
    other = await ui_port_api.options("/codec/decode", headers=preflight("http://localhost:8233"))
    assert "access-control-allow-origin" not in other.headers


async def test_cors_covers_the_codec_routes_only(
    api: httpx.AsyncClient, ui_port_api: httpx.AsyncClient
) -> None:
    for http, origin in ((api, "http://127.0.0.1:8233"), (ui_port_api, "http://127.0.0.1:9233")):
        assert (
            "access-control-allow-origin"
            in (await http.options("/codec/encode", headers=preflight(origin))).headers
        )
        for path in ("/v1/orders", "/v1/customers/erasure", "/v1/inventory/events"):
            answer = await http.options(path, headers=preflight(origin))
            assert "access-control-allow-origin" not in answer.headers, path
    origin = "http://127.0.0.1:9233"
    read = await ui_port_api.get("/v1/stores", headers={"Origin": origin})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
    codec = await ui_port_api.post("/codec/decode", json={"payloads": []}, headers={"Origin": origin})
    assert codec.headers["access-control-allow-origin"] == origin
