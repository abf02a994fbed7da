"""Stock against real PostgreSQL: ledger agreement, contention, holds, the feed, alerts, availability."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import database_now, inventory, stock
from adapters.db.tables import notifications, stock_movements
from devstack.demo import STORES as DEMO_STORES
from domain import ids
from domain.values import OrderLine
from tests.conftest import placement
from tests.integration.conftest import eventually
from tests.integration.flow import place
from workflows.contracts import ReservationRequest


async def new_sku(
    engine: AsyncEngine, on_hand: int, store_id: str = "nyc-soho", safety_stock: int = 0
) -> str:
    """A product of its own for one test, received into one store through the ledger."""
    sku = f"T-{uuid.uuid4().hex[:10]}"
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO products (sku, name, unit_price, currency) VALUES (:sku, 'test', 10, 'EUR')"),
            {"sku": sku},
        )
        await stock.record(conn, [receipt(store_id, sku, on_hand)])
        await stock.set_safety_stock(conn, store_id, sku, safety_stock)
    return sku


def receipt(store_id: str, sku: str, quantity: int):  # type: ignore[no-untyped-def]
    from domain.stock import Movement, MovementKind

    return Movement(
        store_id=store_id,
        sku=sku,
        kind=MovementKind.RECEIPT,
        on_hand_delta=quantity,
        reason="test stock",
        source="test",
        key=f"test-receipt:{uuid.uuid4()}",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def request(holder: str, sku: str, quantity: int, store_id: str = "nyc-soho") -> ReservationRequest:
    return ReservationRequest(
        order_id=holder, store_id=store_id, lines=[OrderLine(sku=sku, quantity=quantity, unit_price=0)]
    )


async def level(engine: AsyncEngine, sku: str, store_id: str = "nyc-soho"):  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return await stock.level(conn, store_id, sku)


async def test_sixty_four_concurrent_reservations_with_retries_never_oversell(engine: AsyncEngine) -> None:
    sku = await new_sku(engine, on_hand=40)
    holders = [f"order-hot-{uuid.uuid4().hex[:8]}" for _ in range(48)]
    attempts = holders + holders[:16]  # 16 retries of the same reservations, running at the same time

    async def attempt(holder: str) -> bool:
        async with engine.begin() as conn:
            return (await stock.reserve(conn, request(holder, sku, 1))).reserved

    seen: list[tuple[int, int]] = []

    async def watch() -> None:
        for _ in range(40):
            row = await level(engine, sku)
            seen.append((row.on_hand, row.reserved))
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    results = await asyncio.gather(*(attempt(holder) for holder in attempts))
    await watcher
    granted = {holder for holder, ok in zip(attempts, results, strict=True) if ok}
    assert len(granted) == 40
    final = await level(engine, sku)
    assert (final.on_hand, final.reserved, final.available) == (40, 40, 0)
    assert all(reserved <= on_hand for on_hand, reserved in seen)
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []
        rows = await conn.scalar(text("SELECT count(*) FROM reservations WHERE sku = :sku"), {"sku": sku})
    assert rows == 40


async def test_an_abandoned_checkout_hold_frees_itself_without_a_sweeper(engine: AsyncEngine) -> None:
    sku = await new_sku(engine, on_hand=3)
    async with engine.begin() as conn:
        expires = await database_now(conn) + timedelta(milliseconds=300)
        assert (
            await stock.reserve(conn, request(f"hold-{uuid.uuid4().hex}", sku, 3), expires_at=expires)
        ).reserved
    async with engine.begin() as conn:
        assert not (await stock.reserve(conn, request("order-too-early", sku, 1))).reserved
    await asyncio.sleep(0.5)
    async with engine.begin() as conn:
        assert (await stock.reserve(conn, request("order-after-expiry", sku, 2))).reserved
        reasons = (
            await conn.scalars(
                select(stock_movements.c.reason).where(
                    stock_movements.c.sku == sku, stock_movements.c.kind == "release"
                )
            )
        ).all()
    assert reasons == ["hold expired"]
    final = await level(engine, sku)
    assert (final.on_hand, final.reserved) == (3, 2)


async def test_a_hold_converts_into_the_order_that_follows_it(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=2, store_id="paris-rivoli")
    hold = await api.post(
        "/v1/holds", json={"store_id": "paris-rivoli", "lines": [{"sku": sku, "quantity": 2}]}
    )
    assert hold.status_code == 201, hold.text
    hold_id = hold.json()["hold_id"]
    assert hold.json()["active"] is True
    other = await api.post(
        "/v1/holds", json={"store_id": "paris-rivoli", "lines": [{"sku": sku, "quantity": 1}]}
    )
    assert other.status_code == 409 and other.json()["missing"][0]["available"] == 0

    order = placement(lines=[(sku, 2)]).model_copy(update={"hold_id": hold_id})
    placed = await place(api, order)
    assert placed.status_code == 201, placed.text
    final = await level(engine, sku, "paris-rivoli")
    assert (final.on_hand, final.reserved) == (2, 2)
    assert (await api.get(f"/v1/holds/{hold_id}")).json()["active"] is False


async def test_a_released_hold_is_back_on_sale_at_once(api: httpx.AsyncClient, engine: AsyncEngine) -> None:
    sku = await new_sku(engine, on_hand=1, store_id="paris-rivoli")
    hold = (
        await api.post("/v1/holds", json={"store_id": "paris-rivoli", "lines": [{"sku": sku, "quantity": 1}]})
    ).json()
    released = await api.delete(f"/v1/holds/{hold['hold_id']}")
    assert released.status_code == 200 and released.json()["active"] is False
    assert (await level(engine, sku, "paris-rivoli")).reserved == 0
    assert (await api.get("/v1/holds/hold-00000000000000000000000000000000")).status_code == 404


def _event(
    event_id: str, sku: str, type_: str, quantity: int, at: datetime, store_id: str = "nyc-soho"
) -> dict:
    return {
        "event_id": event_id,
        "store_id": store_id,
        "sku": sku,
        "type": type_,
        "quantity": quantity,
        "occurred_at": at.isoformat(),
    }


async def test_feed_events_apply_once_and_counts_hold_as_of_when_they_were_taken(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=10)
    now = datetime.now(UTC)
    tag = uuid.uuid4().hex[:6]
    batch = [
        _event(f"{tag}-sale-1", sku, "sale", 3, now - timedelta(minutes=30)),
        _event(f"{tag}-receipt-1", sku, "receipt", 5, now - timedelta(minutes=20)),
    ]
    first = (await api.post("/v1/inventory/events", json=batch)).json()
    assert [e["status"] for e in first["applied"]] == ["applied", "applied"]
    again = (await api.post("/v1/inventory/events", json=batch)).json()
    assert [e["status"] for e in again["applied"]] == ["repeat", "repeat"]
    assert (await level(engine, sku)).on_hand == 12

    # counted 9 an hour ago, before the sale and the receipt arrived: on hand is 9 - 3 + 5 = 11
    late_count = _event(f"{tag}-count-old", sku, "count", 9, now - timedelta(hours=1))
    applied = (await api.post("/v1/inventory/events", json=[late_count])).json()["applied"][0]
    assert applied["on_hand_delta"] == -1
    assert (await level(engine, sku)).on_hand == 11

    recent = _event(f"{tag}-count-new", sku, "count", 8, now - timedelta(minutes=5))
    older = _event(f"{tag}-count-older", sku, "count", 50, now - timedelta(minutes=50))
    await api.post("/v1/inventory/events", json=[recent])
    superseded = (await api.post("/v1/inventory/events", json=[older])).json()["applied"][0]
    assert superseded["on_hand_delta"] == 0
    assert (await level(engine, sku)).on_hand == 8
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []


async def test_invalid_events_are_rejected_one_by_one_and_kept(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=5)
    now = datetime.now(UTC)
    tag = uuid.uuid4().hex[:6]
    batch = [
        _event(f"{tag}-ok", sku, "sale", 1, now),
        _event(f"{tag}-bad-type", sku, "theft", 1, now),
        _event(f"{tag}-unknown-sku", "NO-SUCH-SKU", "sale", 1, now),
        {"store_id": "nyc-soho", "sku": sku, "type": "sale", "quantity": 1, "occurred_at": now.isoformat()},
        _event(f"{tag}-zero", sku, "sale", 0, now),
        "not an event",
    ]
    answer = (await api.post("/v1/inventory/events", json=batch)).json()
    assert [e["event_id"] for e in answer["applied"]] == [f"{tag}-ok"]
    rejected = {r["index"]: r["reasons"] for r in answer["rejected"]}
    assert sorted(rejected) == [1, 2, 3, 4, 5]
    assert any(reason.startswith("type:") for reason in rejected[1])
    assert rejected[2] == ["sku: unknown sku 'NO-SUCH-SKU'"]
    assert any(reason.startswith("event_id:") for reason in rejected[3])
    assert any("positive" in reason for reason in rejected[4])
    kept = (await api.get("/v1/inventory/rejections", params={"limit": 20})).json()
    assert {r["event_id"] for r in kept} >= {f"{tag}-bad-type", f"{tag}-unknown-sku", f"{tag}-zero"}
    assert (await level(engine, sku)).on_hand == 4
    too_big = await api.post("/v1/inventory/events", json="nope")
    assert too_big.status_code == 422


async def test_a_pos_sale_of_reserved_units_flags_the_newest_order_at_risk(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    older = placement(lines=[(sku, 2)])
    newer = placement(lines=[(sku, 1)])
    assert (await place(api, older)).status_code == 201
    assert (await place(api, newer)).status_code == 201
    sale = _event(f"pos-{uuid.uuid4().hex[:8]}", sku, "sale", 1, datetime.now(UTC), store_id="paris-rivoli")
    answer = (await api.post("/v1/inventory/events", json=[sale])).json()
    assert [entry["order_id"] for entry in answer["at_risk"]] == [newer.order_id]

    async def flagged() -> dict | None:
        order = (await api.get(f"/v1/orders/{newer.order_id}")).json()
        return order if order["stock_at_risk"] else None

    order = await eventually(flagged)
    assert order["stock_at_risk"][0]["sku"] == sku and order["stock_at_risk"][0]["short_by"] == 1
    assert (await api.get(f"/v1/orders/{older.order_id}")).json()["stock_at_risk"] == []
    queue = (await api.get("/v1/stores/paris-rivoli/orders", params={"at_risk": "true"})).json()
    assert newer.order_id in [entry["order_id"] for entry in queue]
    assert older.order_id not in [entry["order_id"] for entry in queue]

    async def listed_at_risk() -> bool:
        # The read model is written by a local activity before the workflow task that upserts the search
        # attribute completes: the attribute follows a moment later.
        description = await client.get_workflow_handle(newer.order_id).describe()
        return description.typed_search_attributes.get(ids.SA_STOCK_AT_RISK) is True

    assert await eventually(listed_at_risk)


async def test_replenishment_alert_is_raised_once_told_to_the_store_and_cleared(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=6, store_id="paris-rivoli", safety_stock=2)
    order = placement(lines=[(sku, 4)])
    assert (await place(api, order)).status_code == 201  # 6 - 4 = 2 free: down to the safety stock
    alerts = (await api.get("/v1/inventory/alerts", params={"store_id": "paris-rivoli"})).json()
    mine = [alert for alert in alerts if alert["sku"] == sku]
    assert len(mine) == 1 and (mine[0]["on_hand"], mine[0]["reserved"], mine[0]["safety_stock"]) == (6, 4, 2)
    async with engine.connect() as conn:
        told = (
            await conn.execute(
                select(notifications.c.recipient, notifications.c.body).where(
                    notifications.c.kind == "replenishment_alert", notifications.c.sequence == mine[0]["id"]
                )
            )
        ).all()
    assert told[0].recipient == "paris-rivoli@stores.example.com" and sku in told[0].body

    now = datetime.now(UTC)
    receipt_event = _event(f"r-{uuid.uuid4().hex[:8]}", sku, "receipt", 10, now, store_id="paris-rivoli")
    await api.post("/v1/inventory/events", json=[receipt_event])
    alerts = (await api.get("/v1/inventory/alerts", params={"store_id": "paris-rivoli"})).json()
    assert sku not in [alert["sku"] for alert in alerts]


async def test_availability_near_a_point_puts_whole_basket_stores_first(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    # Products of its own (other tests sell the demo stock): a tent everywhere, a stove all but in Lyon.
    tent = await new_sku(engine, on_hand=2, store_id="paris-rivoli")
    stove = await new_sku(engine, on_hand=1, store_id="paris-rivoli")
    async with engine.begin() as conn:
        for store_id in ("paris-la-defense", "london-oxford-st", "lyon-part-dieu", "wh-ile-de-france"):
            await stock.record(conn, [receipt(store_id, tent, 2)])
        for store_id in ("paris-la-defense", "london-oxford-st", "wh-ile-de-france"):
            await stock.record(conn, [receipt(store_id, stove, 1)])
    answer = await api.get(
        "/v1/availability",
        params=[
            ("sku", f"{tent}:2"),
            ("sku", stove),
            ("near_store", "paris-rivoli"),
            ("radius_km", "500"),
            ("limit", "100"),  # other tests add stores of their own near Paris
        ],
    )
    assert answer.status_code == 200, answer.text
    demo = {store["id"] for store in DEMO_STORES}  # other tests add stores of their own
    stores = [s for s in answer.json()["stores"] if s["store"]["id"] in demo]
    assert [s["store"]["id"] for s in stores] == [
        "paris-rivoli",
        "paris-la-defense",
        "london-oxford-st",
        "lyon-part-dieu",
    ]  # the demo warehouse has both, but it is no pickup store
    assert [s["whole_basket"] for s in stores] == [True, True, True, False]
    assert stores[0]["distance_km"] == 0 and stores[0]["ready_by"] is not None
    assert stores[3]["missing"] == [{"sku": stove, "requested": 1, "available": 0}]
    assert stores[3]["ready_by"] is None

    everywhere = (await api.get("/v1/availability", params={"sku": "BOOTS-42"})).json()["stores"]
    assert {s["store"]["id"] for s in everywhere} >= {"paris-rivoli", "nyc-soho"}
    bad = await api.get("/v1/availability", params={"sku": "TENT-2P:two"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "sku", 0]
    half = await api.get("/v1/availability", params={"sku": "TENT-2P", "lat": "48.8"})
    assert half.status_code == 422 and half.json()["detail"][0]["loc"] == ["query", "lon"]


async def test_intake_promises_what_availability_shows(api: httpx.AsyncClient, engine: AsyncEngine) -> None:
    sku = await new_sku(engine, on_hand=5, store_id="lyon-part-dieu", safety_stock=2)
    shown = (await api.get("/v1/availability", params={"sku": sku})).json()["stores"]
    lyon = next(s for s in shown if s["store"]["id"] == "lyon-part-dieu")
    assert lyon["available"][sku] == 3
    too_many = await place(api, placement(store_id="lyon-part-dieu", lines=[(sku, 4)]))
    assert too_many.status_code == 409 and too_many.json()["missing"][0]["available"] == 3
    assert (await place(api, placement(store_id="lyon-part-dieu", lines=[(sku, 3)]))).status_code == 201
    async with engine.connect() as conn:
        await inventory.alerts(conn, "lyon-part-dieu")
