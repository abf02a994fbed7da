"""The curbside clock on running orders (dev server, real worker): a customer checked in at the curb gets
the order within the policy's time, or the store is reminded by email; handed over in time, no reminder.
The policy's time is cut to a few seconds here (the default is 5 minutes)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from domain.commands import CustomerCheckIn
from domain.order_state import OrderView
from domain.policy import OrderPolicy
from domain.values import ArrivalStage, PickupPlace
from services import orders
from services.orders import OrderDesk
from tests.conftest import placement
from tests.integration.conftest import _api, eventually, keep_history, settings_for
from tests.integration.flow import pickup_code, place, prepare, step
from tests.integration.test_stock import new_sku

pytestmark = pytest.mark.integration
BRING_OUT_WITHIN = timedelta(seconds=3)
STORE_EMAIL = "paris-rivoli@stores.example.com"


@pytest.fixture(scope="module")
async def quick_curb_api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    """Orders placed here carry a curbside time of a few seconds in their policy."""
    policy = OrderPolicy(curbside_within=BRING_OUT_WITHIN)
    async for http in _api(settings_for(client, database_url, policy=policy), client, engine):
        yield http


async def _ready_at_the_curb(api: httpx.AsyncClient, client: Client, engine: AsyncEngine) -> OrderView:
    """A ready order whose customer just said "I'm here" at the curb, through the page's use case."""
    sku = await new_sku(engine, 3, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    desk = OrderDesk(client, engine, timedelta(seconds=30))
    found = await orders.find_order(desk, order.order_id)
    here = CustomerCheckIn(stage=ArrivalStage.HERE, place=PickupPlace.CURBSIDE, car="blue Zoe", bay="2")
    checked_in = await orders.check_in(desk, found, here)
    assert checked_in.check_in and checked_in.check_in.bring_out_by
    assert checked_in.check_in.bring_out_by - checked_in.check_in.at <= BRING_OUT_WITHIN
    return checked_in


async def _store_reminders(api: httpx.AsyncClient, order_id: str) -> list[dict]:
    messages = (await api.get(f"/v1/orders/{order_id}/notifications")).json()
    return [m for m in messages if m["kind"] == "store_curbside_at_risk"]


async def test_the_store_is_reminded_when_the_order_is_not_brought_out_in_time(
    quick_curb_api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    order = await _ready_at_the_curb(quick_curb_api, client, engine)
    assert await _store_reminders(quick_curb_api, order.order_id) == []  # not before the time is up

    async def reminded() -> list[dict]:
        return await _store_reminders(quick_curb_api, order.order_id)

    [reminder] = await eventually(reminded, timeout=30)
    assert (reminder["channel"], reminder["recipient"], reminder["status"]) == ("email", STORE_EMAIL, "sent")
    assert "waiting at the curb" in reminder["subject"]
    assert order.placement.channel_order_id in reminder["body"]
    shown = (await quick_curb_api.get(f"/v1/orders/{order.order_id}")).json()
    assert shown["status"] == "ready_for_pickup" and shown["check_in"]["bay"] == "2"
    code = await pickup_code(quick_curb_api, order.order_id)  # brought out late, collected all the same
    collected = await step(quick_curb_api, order.placement, "collect", {"pickup_code": code})
    assert collected.status_code == 200, collected.text
    await client.get_workflow_handle(order.order_id).result()
    await keep_history(client, order.order_id, "curbside_late_reminder_then_collected")


async def test_no_reminder_when_the_order_is_handed_over_in_time(
    quick_curb_api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    order = await _ready_at_the_curb(quick_curb_api, client, engine)
    code = await pickup_code(quick_curb_api, order.order_id)
    collected = await step(quick_curb_api, order.placement, "collect", {"pickup_code": code})
    assert collected.status_code == 200, collected.text
    await asyncio.sleep(BRING_OUT_WITHIN.total_seconds() + 3)  # well past the time it had
    assert await _store_reminders(quick_curb_api, order.order_id) == []
    final = (await quick_curb_api.get(f"/v1/orders/{order.order_id}")).json()
    assert final["status"] == "collected"
