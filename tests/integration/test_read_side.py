"""Stores, store queues and stock counts as the API shows them."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client

from adapters.db import orders
from adapters.db.tables import order_events
from adapters.temporal import register_search_attributes
from domain.ids import SEARCH_ATTRIBUTES
from tests.conftest import placement
from tests.integration.flow import pickup_code, place, prepare, step
from tests.integration.test_stock import new_sku


async def test_stores_are_listed_with_location_timezone_and_opening_hours(api: httpx.AsyncClient) -> None:
    stores = (await api.get("/v1/stores")).json()
    assert {store["id"] for store in stores} >= {
        "paris-rivoli",
        "lyon-part-dieu",
        "london-oxford-st",
        "nyc-soho",
    }
    soho = (await api.get("/v1/stores/nyc-soho")).json()
    assert soho["timezone"] == "America/New_York"
    assert soho["opening_hours"][0] == {"weekday": 0, "opens": "10:00:00", "closes": "20:00:00"}
    assert (await api.get("/v1/stores/atlantis")).status_code == 404


async def test_store_queue_lists_the_store_orders_filtered_by_status(api: httpx.AsyncClient) -> None:
    order = placement(store_id="lyon-part-dieu", lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    reserved = (await api.get("/v1/stores/lyon-part-dieu/orders", params={"status": "reserved"})).json()
    assert order.order_id in [entry["order_id"] for entry in reserved]
    assert all(entry["status"] == "reserved" for entry in reserved)
    accepted = (await api.get("/v1/stores/lyon-part-dieu/orders", params={"status": "accepted"})).json()
    assert order.order_id not in [entry["order_id"] for entry in accepted]
    other_store = (await api.get("/v1/stores/paris-rivoli/orders")).json()
    assert order.order_id not in [entry["order_id"] for entry in other_store]
    bad = await api.get("/v1/stores/lyon-part-dieu/orders", params={"status": "lost"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "status"]
    assert (await api.get("/v1/stores/atlantis/orders")).status_code == 404


async def test_a_store_count_sets_on_hand_and_keeps_reservations(api: httpx.AsyncClient) -> None:
    order = placement(store_id="nyc-soho", lines=[("BACKPACK-40", 2)])
    assert (await place(api, order)).status_code == 201
    counted = await api.put("/v1/stores/nyc-soho/stock/BACKPACK-40", json={"on_hand": 20})
    assert counted.status_code == 200
    level = counted.json()
    assert level["on_hand"] == 20 and level["reserved"] >= 2 and level["available"] == 20 - level["reserved"]
    assert (await api.get("/v1/stores/nyc-soho/stock/BACKPACK-40")).json() == level

    negative = await api.put("/v1/stores/nyc-soho/stock/BACKPACK-40", json={"on_hand": -1})
    assert negative.status_code == 422 and negative.json()["detail"][0]["loc"] == ["body", "on_hand"]
    assert (await api.put("/v1/stores/nyc-soho/stock/NOPE", json={"on_hand": 1})).status_code == 404
    assert (await api.put("/v1/stores/atlantis/stock/BACKPACK-40", json={"on_hand": 1})).status_code == 404
    assert (await api.get("/v1/stores/nyc-soho/stock/NOPE")).status_code == 404


async def test_unknown_order_is_404_everywhere(api: httpx.AsyncClient) -> None:
    missing = "order-webshop-DOES-NOT-EXIST"
    assert (await api.get(f"/v1/orders/{missing}")).status_code == 404
    assert (await api.get(f"/v1/orders/{missing}/notifications")).status_code == 404
    assert (await api.post(f"/v1/orders/{missing}/cancel", json={"reason": "x"})).status_code == 404
    answer = await api.post(f"/v1/stores/paris-rivoli/orders/{missing}/accept")
    assert answer.status_code == 404 and answer.json()["error"] == "order_not_found"
    no_reason = await api.post(f"/v1/orders/{missing}/cancel", json={})
    assert no_reason.status_code == 422 and no_reason.json()["detail"][0]["loc"] == ["body", "reason"]


async def test_search_attributes_are_registered_once_whatever_the_server_started_with(client: Client) -> None:
    assert await register_search_attributes(client) == []  # the test server started with all of them
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace)
    )
    assert {key.name for key in SEARCH_ATTRIBUTES} <= set(listed.custom_attributes)


async def test_the_timeline_table_holds_each_step_once_whatever_repeats_or_comes_late(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """A record writes the timeline entries since the order's last record (not the whole timeline each
    step): after the whole lifecycle, a repeated and a late record, the table is the timeline, once."""
    order = placement(store_id="lyon-part-dieu", lines=[(await new_sku(engine, 5, "lyon-part-dieu"), 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    collected = await step(api, order, "collect", {"pickup_code": await pickup_code(api, order)})
    assert collected.status_code == 200, collected.text

    async def rows() -> list[tuple[int, str]]:
        async with engine.connect() as conn:
            found = await conn.execute(
                select(order_events.c.seq, order_events.c.status)
                .where(order_events.c.order_id == order.order_id)
                .order_by(order_events.c.seq)
            )
            return [(row.seq, row.status) for row in found]

    async with engine.begin() as conn:
        view = await orders.get(conn, order.order_id)
    assert view is not None
    timeline = [(seq, entry.status.value) for seq, entry in enumerate(view.timeline)]
    assert [status for _, status in timeline][-1] == "collected" and len(timeline) >= 5
    assert await rows() == timeline
    async with engine.begin() as conn:  # a step repeated after it committed, and an older one late
        await orders.record(conn, view)
        await orders.record(conn, view.model_copy(update={"version": view.version - 1}))
    assert await rows() == timeline
