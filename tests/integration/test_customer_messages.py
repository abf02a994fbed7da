"""Customer messages through the whole system: re-sending the pickup code, quiet hours for urgent ones."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from tests.conftest import placement
from tests.integration.conftest import _api, eventually, settings_for
from tests.integration.flow import pickup_code, place, prepare, step


async def kinds(api: httpx.AsyncClient, order_id: str) -> list[tuple[str, int, str]]:
    messages = (await api.get(f"/v1/orders/{order_id}/notifications")).json()
    return [(m["kind"], m["sequence"], m["channel"]) for m in messages]


async def test_support_resends_the_pickup_code_once_per_request(api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    code = await pickup_code(api, order)

    resent = await api.post(
        f"/v1/orders/{order.order_id}/notifications/resend", json={"kind": "ready_for_pickup"}
    )
    assert resent.status_code == 200, resent.text
    assert sorted((m["sequence"], m["channel"], m["status"]) for m in resent.json()) == [
        (1, "email", "sent"),
        (1, "sms", "sent"),
        (2, "email", "sent"),
        (2, "sms", "sent"),
    ]
    assert all(code in m["body"] for m in resent.json())

    never = await api.post(
        f"/v1/orders/{order.order_id}/notifications/resend", json={"kind": "pickup_reminder"}
    )
    assert never.status_code == 409 and never.json()["error"] == "nothing_to_resend"
    bad = await api.post(f"/v1/orders/{order.order_id}/notifications/resend", json={"kind": "postcard"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "kind"]

    assert (await step(api, order, "collect", {"pickup_code": code})).status_code == 200
    late = await api.post(
        f"/v1/orders/{order.order_id}/notifications/resend", json={"kind": "ready_for_pickup"}
    )
    assert late.status_code == 409


@pytest.fixture
async def night_api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    """Quiet hours that cover urgent messages and end a few seconds from now in Paris."""
    now = datetime.now(ZoneInfo("Europe/Paris"))
    settings = settings_for(client, database_url)
    settings.policy.quiet_hours_for_urgent = True
    settings.policy.quiet_hours_start = (now - timedelta(hours=1)).time().replace(microsecond=0)
    settings.policy.quiet_hours_end = (now + timedelta(seconds=4)).time().replace(microsecond=0)
    async for http in _api(settings, client, engine):
        yield http


async def test_quiet_hours_can_hold_the_ready_message_until_they_end(night_api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(night_api, order)).status_code == 201
    await prepare(night_api, order)
    assert ("ready_for_pickup", 1, "sms") not in await kinds(night_api, order.order_id)

    async def ready_sent() -> bool:
        return ("ready_for_pickup", 1, "sms") in await kinds(night_api, order.order_id)

    await eventually(ready_sent, timeout=20)
