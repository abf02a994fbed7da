"""Routing and exceptions on the real servers: a POS sale moves a running order to another store with stock,
ledger and payments consistent at both; intake offers nearby stores; a short pick writes stock off and moves
the order; the customer's choice is validated."""

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import payments, stock
from adapters.db.tables import reservations, stock_movements
from domain import ids
from tests.conftest import placement
from tests.integration.conftest import NEARBY, eventually, keep_history
from tests.integration.flow import pickup_code, place
from tests.integration.test_stock import _event, new_sku, receipt


async def _stock_at(engine: AsyncEngine, store_id: str, sku: str, on_hand: int) -> None:
    async with engine.begin() as conn:
        await stock.record(conn, [receipt(store_id, sku, on_hand)])


async def _levels(engine: AsyncEngine, sku: str, *store_ids: str) -> dict[str, tuple[int, int]]:
    """(on hand, reserved) at each store; by default Paris Rivoli and the nearby test store."""
    async with engine.connect() as conn:
        out = {}
        for store_id in store_ids or ("paris-rivoli", NEARBY):
            level = await stock.level(conn, store_id, sku)
            out[store_id] = (level.on_hand, level.reserved) if level else (0, 0)
        return out


async def _order(api: httpx.AsyncClient, order_id: str) -> dict:
    return (await api.get(f"/v1/orders/{order_id}")).json()


async def test_a_pos_sale_of_a_reserved_unit_moves_the_running_order_to_another_store(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine, nearby_store: str
) -> None:
    sku = await new_sku(engine, on_hand=1, store_id="paris-rivoli")
    await _stock_at(engine, nearby_store, sku, 2)
    order = placement(lines=[(sku, 1)])
    assert (await place(api, order)).status_code == 201
    assert await _levels(engine, sku) == {"paris-rivoli": (1, 1), nearby_store: (2, 0)}

    sale = _event(f"pos-{uuid.uuid4().hex[:8]}", sku, "sale", 1, datetime.now(UTC), store_id="paris-rivoli")
    answer = (await api.post("/v1/inventory/events", json=[sale])).json()
    assert [entry["order_id"] for entry in answer["at_risk"]] == [order.order_id]

    async def moved() -> dict | None:
        view = await _order(api, order.order_id)
        return view if view["store"]["id"] == nearby_store else None

    view = await eventually(moved)
    assert view["status"] == "reserved" and view["previous_stores"] == ["paris-rivoli"]
    assert view["timeline"][-1]["reason"].startswith(
        f"re-routed from paris-rivoli to {nearby_store}: stock at risk"
    )
    decision = view["routing"][-1]
    assert decision["chosen"] == nearby_store
    assert {c["store_id"]: c["excluded"] for c in decision["candidates"]}[
        "paris-rivoli"
    ] == "already tried for this order"

    # The sold unit left Rivoli and nothing is held there; Bastille holds the order's unit.
    assert await _levels(engine, sku) == {"paris-rivoli": (0, 0), nearby_store: (2, 1)}
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []
        held = (
            await conn.execute(
                select(reservations.c.order_id, reservations.c.store_id, reservations.c.state)
                .where(reservations.c.sku == sku)
                .order_by(reservations.c.created_at)
            )
        ).all()
        kinds = (
            await conn.execute(
                select(stock_movements.c.store_id, stock_movements.c.kind)
                .where(stock_movements.c.sku == sku)
                .order_by(stock_movements.c.id)
            )
        ).all()
        ledger = await payments.ledger(conn, order.order_id)
    assert [tuple(row) for row in held] == [
        (order.order_id, "paris-rivoli", "released"),
        (ids.reservation_holder(order.order_id, 1), nearby_store, "active"),
    ]
    assert [tuple(k) for k in kinds] == [
        ("paris-rivoli", "receipt"),
        (nearby_store, "receipt"),
        ("paris-rivoli", "reserve"),
        ("paris-rivoli", "sale"),
        (nearby_store, "reserve"),
        ("paris-rivoli", "release"),
    ]
    assert [entry.kind for entry in ledger] == ["authorization"]  # the payment stays as it was
    messages = (await api.get(f"/v1/orders/{order.order_id}/notifications")).json()
    assert "rerouted" in [m["kind"] for m in messages]

    # The new store prepares it and the customer collects there: committed at Bastille, captured once.
    route = f"/v1/stores/{nearby_store}/orders/{order.order_id}"
    assert (await api.post(f"{route}/accept")).status_code == 200
    assert (await api.post(f"{route}/pick", json={"lines": [{"sku": sku, "quantity": 1}]})).status_code == 200
    assert (await api.post(f"{route}/ready", json={"staging_location": "B1"})).status_code == 200
    old_route = f"/v1/stores/paris-rivoli/orders/{order.order_id}/accept"
    assert (await api.post(old_route)).status_code == 404  # not Rivoli's order any more
    code = await pickup_code(api, order)
    collected = await api.post(f"{route}/collect", json={"pickup_code": code})
    assert collected.status_code == 200, collected.text
    assert await _levels(engine, sku) == {"paris-rivoli": (0, 0), nearby_store: (1, 0)}
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []
        assert [e.kind for e in await payments.ledger(conn, order.order_id)] == ["authorization", "capture"]
    await keep_history(client, order.order_id, "rerouted_by_stock_at_risk")


async def test_intake_offers_nearby_stores_and_takes_one_when_the_channel_allows(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine, nearby_store: str
) -> None:
    sku = await new_sku(engine, on_hand=0, store_id="paris-rivoli")
    await _stock_at(engine, nearby_store, sku, 3)
    refused = await place(api, placement(lines=[(sku, 2)]))
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "insufficient_stock"
    assert [(a["store_id"], a["ready_today"]) for a in body["alternatives"]][0][0] == nearby_store
    assert body["alternatives"][0]["distance_km"] == pytest.approx(2.1, abs=0.2)

    willing = placement(lines=[(sku, 2)])
    willing.accept_alternative = True
    taken = await place(api, willing)
    assert taken.status_code == 201, taken.text
    view = taken.json()
    assert view["store"]["id"] == nearby_store and view["status"] == "reserved"
    assert view["timeline"][-1]["reason"].startswith(f"at {nearby_store}: {nearby_store}: lowest score")
    assert await _levels(engine, sku) == {"paris-rivoli": (0, 0), nearby_store: (3, 2)}
    await keep_history(client, willing.order_id, "alternative_store_at_intake")


async def test_short_pick_writes_off_the_missing_units_and_moves_the_order(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine, nearby_store: str
) -> None:
    sku = await new_sku(engine, on_hand=2, store_id="paris-rivoli")
    await _stock_at(engine, nearby_store, sku, 2)
    order = placement(lines=[(sku, 2)])
    assert (await place(api, order)).status_code == 201
    route = f"/v1/stores/paris-rivoli/orders/{order.order_id}"
    assert (await api.post(f"{route}/accept")).status_code == 200
    bad = await api.post(
        f"{route}/short-pick", json={"lines": [{"sku": sku, "missing": 3, "reason": "not_found"}]}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "lines", 0, "missing"]
    short = await api.post(
        f"{route}/short-pick", json={"lines": [{"sku": sku, "missing": 1, "reason": "damaged"}]}
    )
    assert short.status_code == 200, short.text
    view = short.json()
    assert view["store"]["id"] == nearby_store and view["status"] == "reserved"
    assert await _levels(engine, sku) == {"paris-rivoli": (1, 0), nearby_store: (2, 2)}
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []
        reasons = await conn.scalars(
            select(stock_movements.c.reason).where(
                stock_movements.c.sku == sku, stock_movements.c.kind == "correction"
            )
        )
        assert list(reasons) == ["short pick: damaged"]
    again = await api.post(f"{route}/reject", json={"reason": "too late"})
    assert again.status_code == 404  # the order has left this store
    await keep_history(client, order.order_id, "rerouted_after_short_pick")


async def test_a_choice_nobody_asked_for_is_refused(api: httpx.AsyncClient, engine: AsyncEngine) -> None:
    sku = await new_sku(engine, on_hand=2, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])
    assert (await place(api, order)).status_code == 201
    answer = await api.post(f"/v1/orders/{order.order_id}/choice", json={"option": "cancel"})
    assert answer.status_code == 409 and answer.json()["error"] == "transition_not_allowed"
    wrong = await api.post(f"/v1/orders/{order.order_id}/choice", json={"option": "teleport"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "option"]
