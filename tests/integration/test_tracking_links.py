"""Customers' tracking links: built on the configured API port, no pickup code on the page, and gone a
grace period after the order ends (issue 19 #6)."""

from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlparse

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from config.settings import Settings
from tests.conftest import placement
from tests.integration.conftest import _api, settings_for
from tests.integration.flow import pickup_code, place, prepare

ANONYMOUS = {"X-API-Key": ""}


@pytest.fixture(scope="module")
async def no_grace_api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    """Links that expire as soon as the order ends, on an API listening on a port of its own."""
    base = settings_for(client, database_url).model_dump(exclude={"public_url"})
    settings = Settings(**{**base, "api_port": 9321, "tracking_grace": timedelta(0)})
    async for http in _api(settings, client, engine):
        yield http


async def _link(api: httpx.AsyncClient, order_id: str) -> str:
    answer = await api.get(
        f"/v1/orders/{order_id}/tracking-link", headers={"X-API-Key": "test-channel-webshop"}
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["url"])


async def test_a_tracking_link_points_at_the_port_the_api_listens_on(no_grace_api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(no_grace_api, order)).status_code == 201
    assert urlparse(await _link(no_grace_api, order.order_id)).netloc == "127.0.0.1:9321"


async def test_the_tracking_page_never_shows_the_pickup_code(api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    tracked = await api.get(urlparse(await _link(api, order.order_id)).path, headers=ANONYMOUS)
    assert tracked.status_code == 200 and tracked.json()["status"] == "ready_for_pickup"
    assert "pickup_code" not in tracked.json() and await pickup_code(api, order) not in tracked.text


async def test_a_tracking_link_expires_once_the_grace_period_after_the_order_ends_is_over(
    api: httpx.AsyncClient, no_grace_api: httpx.AsyncClient
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    path = urlparse(await _link(api, order.order_id)).path
    assert (await no_grace_api.get(path, headers=ANONYMOUS)).status_code == 200  # running: never expires
    cancelled = await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "customer left"})
    assert cancelled.status_code == 200

    expired = await no_grace_api.get(path, headers=ANONYMOUS)
    assert expired.status_code == 410, expired.text
    assert expired.json()["error"] == "tracking_link_expired"
    assert "cancelled" in expired.json()["message"]
    assert (await api.get(path, headers=ANONYMOUS)).status_code == 200  # within the default grace period
    forged = await no_grace_api.get(path[:-4] + "aaaa", headers=ANONYMOUS)
    assert forged.status_code == 404  # a wrong token learns nothing, expired or not
