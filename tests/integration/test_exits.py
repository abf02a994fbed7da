"""The basic exits: support cancellation (API and Temporal signal) and expiry of uncollected orders."""

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import payments
from domain import ids
from domain.commands import Cancellation
from domain.order_state import OrderView
from tests.conftest import placement
from tests.integration.conftest import eventually, keep_history
from tests.integration.flow import place, prepare, stock


async def _ledger(engine: AsyncEngine, order_id: str) -> list[str]:
    async with engine.connect() as conn:
        return [entry.kind for entry in await payments.ledger(conn, order_id)]


async def _kinds(api: httpx.AsyncClient, order_id: str) -> list[str]:
    return [m["kind"] for m in (await api.get(f"/v1/orders/{order_id}/notifications")).json()]


async def test_support_cancellation_releases_stock_voids_payment_and_tells_the_customer(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    order = placement(lines=[("JACKET-M", 3)])
    before = await stock(api, order.store_id, "JACKET-M")
    assert (await place(api, order)).status_code == 201
    await api.post(f"/v1/stores/{order.store_id}/orders/{order.order_id}/accept")

    cancelled = await api.post(
        f"/v1/orders/{order.order_id}/cancel",
        json={"reason": "customer changed their mind", "actor": "support:ana"},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert await stock(api, order.store_id, "JACKET-M") == before
    assert await _ledger(engine, order.order_id) == ["authorization", "void"]
    assert await _kinds(api, order.order_id) == ["order_confirmed", "order_cancelled"]
    last = (await api.get(f"/v1/orders/{order.order_id}")).json()["timeline"][-1]
    assert last == {
        **last,
        "status": "cancelled",
        "actor": "ops",  # the key's identity (tests act as ops); the actor the body named is a note
        "reason": "customer changed their mind (stated by the caller: support:ana)",
    }

    again = await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "twice"})
    assert again.status_code == 409
    assert again.json()["current_status"] == "cancelled"
    await client.get_workflow_handle(order.order_id).result()
    await keep_history(client, order.order_id, "cancelled_by_support")


async def test_cancellation_signal_from_the_temporal_ui_compensates_a_ready_order(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    order = placement(lines=[("BOTTLE-1L", 2)])
    before = await stock(api, order.store_id, "BOTTLE-1L")
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)

    handle = client.get_workflow_handle(order.order_id, result_type=OrderView)
    await handle.signal(ids.SIGNAL_CANCEL, Cancellation(reason="duplicate order", actor="ops:temporal-ui"))
    final = await handle.result()
    assert final.status.value == "cancelled"
    assert await stock(api, order.store_id, "BOTTLE-1L") == before
    assert await _ledger(engine, order.order_id) == ["authorization", "void"]
    read = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert read["status"] == "cancelled"
    assert read["timeline"][-1]["actor"] == "temporal:ops:temporal-ui"
    await keep_history(client, order.order_id, "cancelled_by_signal")


async def test_uncollected_order_is_reminded_then_expires_and_releases_stock(
    short_hold_api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    api = short_hold_api
    order = placement(lines=[("BACKPACK-40", 1)])
    before = await stock(api, order.store_id, "BACKPACK-40")
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)

    async def expired() -> bool:
        return (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "expired"

    await eventually(expired, timeout=30)
    await eventually(lambda: _void_recorded(engine, order.order_id))
    assert await stock(api, order.store_id, "BACKPACK-40") == before

    async def told() -> list[str] | None:  # the notice goes out after the transaction that voided
        kinds = await _kinds(api, order.order_id)
        return kinds if kinds[-1] == "order_expired" else None

    kinds = await eventually(told)
    assert kinds.count("pickup_reminder") == 2  # email and SMS
    last = (await api.get(f"/v1/orders/{order.order_id}")).json()["timeline"][-1]
    assert (last["actor"], last["reason"]) == ("system", "not collected within the hold period")
    await client.get_workflow_handle(order.order_id).result()
    await keep_history(client, order.order_id, "expired")


async def _void_recorded(engine: AsyncEngine, order_id: str) -> bool:
    return await _ledger(engine, order_id) == ["authorization", "void"]
