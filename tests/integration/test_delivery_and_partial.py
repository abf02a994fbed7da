"""The exits that move money differently, on the real servers: a short-picked order the customer switches
to home delivery (shipped from a warehouse, captured once) and a partial collection (the rest released
and refunded). Stock, stock ledger and payments ledger are checked at every store involved."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import kpis, stock
from adapters.db.tables import shipments
from domain.values import Address
from tests.conftest import placement
from tests.integration.conftest import add_store, eventually, keep_history, payment_entries
from tests.integration.flow import pickup_code, place, prepare
from tests.integration.test_rerouting import _levels, _order, _stock_at
from tests.integration.test_stock import new_sku

WAREHOUSE = "wh-test-ile-de-france"
ADDRESS = Address(line1="5 rue des Lilas", postcode="75020", city="Paris", country="FR")


@pytest.fixture(scope="module")
async def warehouse(engine: AsyncEngine) -> str:
    """A warehouse south of Paris: ships home deliveries, never a pickup location."""
    return await add_store(
        engine,
        WAREHOUSE,
        name="Entrepôt Île-de-France (test)",
        city="Rungis",
        address="1 rue de la Logistique",
        latitude=48.75,
        longitude=2.40,
        kind="warehouse",
        ships=True,
        country="FR",
    )


async def _kinds(api: httpx.AsyncClient, order_id: str) -> list[str]:
    messages = (await api.get(f"/v1/orders/{order_id}/notifications")).json()
    return sorted({m["kind"] for m in messages})


async def test_a_short_picked_order_switched_to_home_delivery_ships_from_the_warehouse(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine, warehouse: str
) -> None:
    sku = await new_sku(engine, on_hand=2, store_id="paris-rivoli")  # no other store has it
    await _stock_at(engine, warehouse, sku, 5)
    order = placement(lines=[(sku, 2)])
    order.delivery_address = ADDRESS
    assert (await place(api, order)).status_code == 201
    route = f"/v1/stores/paris-rivoli/orders/{order.order_id}"
    assert (await api.post(f"{route}/accept")).status_code == 200
    short = await api.post(
        f"{route}/short-pick", json={"lines": [{"sku": sku, "missing": 1, "reason": "damaged"}]}
    )
    assert short.status_code == 200, short.text
    asking = short.json()
    assert asking["status"] == "awaiting_customer"
    assert asking["choice"]["options"] == ["home_delivery", "collect_available", "cancel"]

    chosen = await api.post(f"/v1/orders/{order.order_id}/choice", json={"option": "home_delivery"})
    assert chosen.status_code == 200, chosen.text

    async def shipped() -> dict | None:
        view = await _order(api, order.order_id)
        return view if view["status"] == "shipped" else None

    view = await eventually(shipped)
    shipment = view["shipment"]
    assert shipment["ship_from"] == warehouse and shipment["carrier"] == "Colissimo"
    assert shipment["tracking_number"].startswith("COL")
    # Rivoli: one unit written off as damaged, the other back on sale; the warehouse sent both.
    assert await _levels(engine, sku, "paris-rivoli", warehouse) == {
        "paris-rivoli": (1, 0),
        warehouse: (3, 0),
    }
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []
        booked = (await conn.execute(select(shipments).where(shipments.c.order_id == order.order_id))).one()
    assert (booked.ship_from, booked.tracking_number) == (warehouse, shipment["tracking_number"])
    assert booked.address["postcode"] == "75020"
    assert await payment_entries(engine, order.order_id) == [
        ("authorization", Decimal("20.00")),
        ("capture", Decimal("20.00")),
    ]
    assert {"choice_requested", "shipped"} <= set(await _kinds(api, order.order_id))
    async with engine.connect() as conn:  # for the return KPIs: the customer got both units
        now = datetime.now(UTC)
        histories = await kpis.order_histories(conn, now - timedelta(hours=1), now, None)
    [history] = [h for h in histories if h.order_id == order.order_id]
    assert history.taken_home == {sku: 2}
    await keep_history(client, order.order_id, "home_delivery_after_short_pick")


async def test_a_partial_collection_releases_and_refunds_what_the_customer_leaves(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    tent = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    stove = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    order = placement(lines=[(tent, 1), (stove, 2)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    route = f"/v1/stores/paris-rivoli/orders/{order.order_id}"
    too_many = await api.post(
        f"{route}/collect",
        json={"pickup_code": await pickup_code(api, order), "lines": [{"sku": stove, "quantity": 3}]},
    )
    assert too_many.status_code == 422, too_many.text
    collected = await api.post(
        f"{route}/collect",
        json={
            "pickup_code": await pickup_code(api, order),
            "lines": [{"sku": tent, "quantity": 1}, {"sku": stove, "quantity": 1}],
        },
    )
    assert collected.status_code == 200, collected.text
    view = collected.json()
    assert view["status"] == "collected" and Decimal(view["refunded"]) == Decimal("10.00")
    assert view["timeline"][-1]["reason"] == f"partial: 1 × {stove} left"
    assert await _levels(engine, tent, "paris-rivoli") == {"paris-rivoli": (2, 0)}
    assert await _levels(engine, stove, "paris-rivoli") == {"paris-rivoli": (2, 0)}  # one back on sale
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []
    assert await payment_entries(engine, order.order_id) == [
        ("authorization", Decimal("30.00")),
        ("refund", Decimal("10.00")),
        ("capture", Decimal("20.00")),
    ]
    assert {"receipt", "refund_issued"} <= set(await _kinds(api, order.order_id))


async def test_a_store_frozen_for_a_count_takes_no_order_and_a_warehouse_is_no_pickup_store(
    api: httpx.AsyncClient, engine: AsyncEngine, warehouse: str, nearby_store: str
) -> None:
    store_id = "paris-test-chatelet"
    await add_store(
        engine,
        store_id,
        name="Paris Châtelet (test)",
        address="1 rue de Rivoli",
        latitude=48.8590,
        longitude=2.3470,
    )
    sku = await new_sku(engine, on_hand=5, store_id=store_id)
    await _stock_at(engine, nearby_store, sku, 5)
    await _stock_at(engine, warehouse, sku, 5)
    routing = f"/v1/stores/{store_id}/routing"
    other_store = await api.patch(
        routing, json={"routing": "frozen"}, headers={"X-API-Key": "test-store-paris"}
    )
    assert other_store.status_code == 403  # a store key changes its own store only
    assert (await api.patch(routing, json={"routing": "asleep"})).json()["detail"][0]["loc"] == [
        "body",
        "routing",
    ]
    assert (await api.patch(routing, json={"routing": None})).status_code == 422
    assert (await api.patch("/v1/stores/atlantis/routing", json={"routing": "open"})).status_code == 404
    frozen = await api.patch(routing, json={"routing": "frozen", "orders_per_hour": 6})
    assert frozen.status_code == 200, frozen.text
    assert (frozen.json()["routing"], frozen.json()["orders_per_hour"]) == ("frozen", 6)

    refused = await place(api, placement(store_id=store_id, lines=[(sku, 1)]))
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "store_closed" and body["missing"] == []
    assert [a["store_id"] for a in body["alternatives"]] == [nearby_store]  # never the warehouse
    async with engine.connect() as conn:
        level = await stock.level(conn, store_id, sku)
    assert level and level.reserved == 0
    shown = (await api.get("/v1/availability", params={"sku": sku})).json()["stores"]
    offered = [s["store"]["id"] for s in shown if s["whole_basket"]]
    assert offered == [nearby_store]  # the frozen store and the warehouse have it, but are not offered
    assert not {store_id, warehouse} & {s["store"]["id"] for s in shown}

    at_warehouse = await place(api, placement(store_id=warehouse, lines=[(sku, 1)]))
    assert at_warehouse.status_code == 422
    assert at_warehouse.json()["detail"][0]["loc"] == ["body", "store_id"]

    reopened = await api.patch(routing, json={"routing": "open", "orders_per_hour": None})
    assert (reopened.json()["routing"], reopened.json()["orders_per_hour"]) == ("open", None)
    assert (await place(api, placement(store_id=store_id, lines=[(sku, 1)]))).status_code == 201
