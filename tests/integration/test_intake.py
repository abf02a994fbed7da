"""Intake: duplicates never make a second order, short stock is refused whole, bad input names its field."""

import asyncio

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db.tables import payment_entries, reservations
from tests.conftest import placement
from tests.integration.conftest import keep_history
from tests.integration.flow import place, prepare, stock


async def _reservation_rows(engine: AsyncEngine, order_id: str) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(select(func.count()).where(reservations.c.order_id == order_id)) or 0


async def test_duplicate_posts_return_the_same_order_and_reserve_once(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order = placement(lines=[("HEADLAMP-300", 2)])
    before = await stock(api, order.store_id, "HEADLAMP-300")
    answers = await asyncio.gather(*(place(api, order) for _ in range(5)))
    assert sorted(answer.status_code for answer in answers) == [200, 200, 200, 200, 201]
    assert {answer.json()["order_id"] for answer in answers} == {order.order_id}
    assert (await stock(api, order.store_id, "HEADLAMP-300"))["reserved"] == before["reserved"] + 2
    assert await _reservation_rows(engine, order.order_id) == 1
    async with engine.connect() as conn:
        authorizations = await conn.scalar(
            select(func.count()).where(payment_entries.c.order_id == order.order_id)
        )
    assert authorizations == 1


async def test_repeat_of_a_finished_order_answers_from_its_record(api: httpx.AsyncClient) -> None:
    order = placement()
    assert (await place(api, order)).status_code == 201
    cancelled = await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "test"})
    assert cancelled.status_code == 200, cancelled.text
    again = await place(api, order)
    assert again.status_code == 200
    assert again.json()["status"] == "cancelled"


async def test_same_channel_order_id_with_other_content_is_a_conflict(api: httpx.AsyncClient) -> None:
    order = placement()
    assert (await place(api, order)).status_code == 201
    other = order.model_copy(update={"lines": placement(lines=[("BOTTLE-1L", 1)]).lines})
    answer = await place(api, other)
    assert answer.status_code == 409
    assert answer.json()["error"] == "channel_order_conflict"


async def test_short_stock_is_refused_naming_the_lines_and_nothing_stays_reserved(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    order = placement(store_id="lyon-part-dieu", lines=[("TENT-2P", 1), ("STOVE-GAS", 2), ("BOOTS-42", 50)])
    before = await stock(api, "lyon-part-dieu", "TENT-2P")
    answer = await place(api, order)
    assert answer.status_code == 409
    assert answer.json()["error"] == "insufficient_stock"
    assert answer.json()["missing"] == [
        {"sku": "STOVE-GAS", "requested": 2, "available": 0},
        {"sku": "BOOTS-42", "requested": 50, "available": 3},
    ]
    assert await stock(api, "lyon-part-dieu", "TENT-2P") == before
    assert await _reservation_rows(engine, order.order_id) == 0
    repeat = await place(api, order)
    assert repeat.status_code == 409
    assert repeat.json()["missing"] == answer.json()["missing"]
    await keep_history(client, order.order_id, "rejected_short_stock")


async def test_invalid_orders_are_refused_naming_the_field(api: httpx.AsyncClient) -> None:
    good = placement().model_dump(mode="json")
    cases = [
        ({**good, "customer": {**good["customer"], "phone": "0612"}}, ["body", "customer", "phone"]),
        ({**good, "lines": [{**good["lines"][0], "quantity": 0}]}, ["body", "lines", 0, "quantity"]),
        ({**good, "currency": "euro"}, ["body", "currency"]),
        ({**good, "channel_order_id": "has space"}, ["body", "channel_order_id"]),
        ({**good, "lines": [{**good["lines"][0], "sku": "NOPE"}]}, ["body", "lines", 0, "sku"]),
    ]
    for body, location in cases:
        answer = await api.post("/v1/orders", json=body)
        assert answer.status_code == 422, (location, answer.text)
        assert answer.json()["detail"][0]["loc"] == location
    unknown_store = await api.post("/v1/orders", json={**good, "store_id": "atlantis"})
    assert unknown_store.status_code == 404
    assert unknown_store.json()["error"] == "store_not_found"


async def test_thirty_orders_racing_for_ten_units_reserve_exactly_ten(api: httpx.AsyncClient) -> None:
    set_count = await api.put("/v1/stores/london-oxford-st/stock/RACE-1", json={"on_hand": 10})
    assert set_count.status_code == 200
    orders = [placement(store_id="london-oxford-st", lines=[("RACE-1", 1)]) for _ in range(30)]

    async def watch_availability() -> list[int]:
        seen = []
        for _ in range(20):
            seen.append((await stock(api, "london-oxford-st", "RACE-1"))["available"])
            await asyncio.sleep(0.05)
        return seen

    watcher = asyncio.create_task(watch_availability())
    started = asyncio.get_running_loop().time()
    answers = await asyncio.gather(*(place(api, order) for order in orders))
    print(f"30 intakes in {asyncio.get_running_loop().time() - started:.2f}s")
    codes = [answer.status_code for answer in answers]
    assert codes.count(201) == 10, codes
    assert codes.count(409) == 20, codes
    assert all(a.json()["error"] == "insufficient_stock" for a in answers if a.status_code == 409)
    level = await stock(api, "london-oxford-st", "RACE-1")
    assert (level["on_hand"], level["reserved"], level["available"]) == (10, 10, 0)
    assert min(await watcher) >= 0


async def test_reserved_then_prepared_order_keeps_its_units_until_collected(api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOOTS-42", 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    level = await stock(api, order.store_id, "BOOTS-42")
    assert level["reserved"] >= 1
