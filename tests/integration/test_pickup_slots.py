"""Pickup slots against real PostgreSQL: a slot is never overbooked, whatever arrives at once; a retry
books nothing more; a change or a release frees the place."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import create_engine
from adapters.db import slots as slot_rows
from adapters.db.tables import pickup_slot_bookings
from domain.slots import SlotRule
from domain.values import OrderPlacement
from services import slots
from services.errors import InvalidField, SlotFull
from tests.conftest import placement
from tests.integration.conftest import add_store, keep_history
from tests.integration.flow import place

TOMORROW = (datetime.now(UTC) + timedelta(days=1)).date()


async def _store(engine: AsyncEngine, store_id: str, capacity: int) -> str:
    """A store of the test's own, open 08:00–12:00 UTC every day, hour-long slots of `capacity` orders."""
    await add_store(
        engine,
        store_id,
        name=store_id,
        address="1 rue du Test",
        latitude=10.0,
        longitude=10.0,
        timezone="UTC",
        opening_hours=[{"weekday": d, "opens": "08:00", "closes": "12:00"} for d in range(7)],
    )
    async with engine.begin() as conn:
        await slot_rows.set_rules(
            conn, store_id, [SlotRule(weekday=d, minutes=60, capacity=capacity) for d in range(7)]
        )
    return store_id


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
async def wide_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Enough connections for every booking to be in flight at once."""
    engine = create_engine(database_url, pool_size=35)
    yield engine
    await engine.dispose()


async def _holders(engine: AsyncEngine, store_id: str) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).where(pickup_slot_bookings.c.store_id == store_id)
        return int(await conn.scalar(query) or 0)


async def test_thirty_concurrent_bookings_with_retries_get_exactly_the_five_places(
    engine: AsyncEngine, wide_engine: AsyncEngine
) -> None:
    store = await _store(engine, "slots-race", capacity=5)
    start = _at(TOMORROW, 9)

    async def attempt(order: int) -> str | None:
        try:
            await slots.book(wide_engine, f"order-race-{order}", store, start)
        except SlotFull:
            return None
        return f"order-race-{order}"

    # 30 orders at once, each sent twice (a channel's retry, a double tap on the page)
    answers = await asyncio.gather(*(attempt(order) for order in range(30) for _ in range(2)))
    granted = {answer for answer in answers if answer}
    assert len(granted) == 5
    assert await _holders(engine, store) == 5
    async with engine.connect() as conn:
        (slot,) = [s for s in await slots.day_slots(conn, store, TOMORROW) if s.starts_at == start]
        taken = await slot_rows.booked(conn, store, start, start + timedelta(hours=1))
    assert slot.remaining == 0 and taken == {start: 5}  # places taken = orders holding them
    # a granted order asking again is still granted and takes nothing more; a refused one is still refused
    winner, loser = (
        sorted(granted)[0],
        next(f"order-race-{n}" for n in range(30) if f"order-race-{n}" not in granted),
    )
    assert (await slots.book(engine, winner, store, start)).starts_at == start
    with pytest.raises(SlotFull):
        await slots.book(engine, loser, store, start)
    assert await _holders(engine, store) == 5


async def test_changing_the_slot_frees_the_old_place_and_a_release_frees_the_new(engine: AsyncEngine) -> None:
    store = await _store(engine, "slots-change", capacity=1)
    nine, ten = _at(TOMORROW, 9), _at(TOMORROW, 10)
    await slots.book(engine, "order-change-a", store, nine)
    with pytest.raises(SlotFull):
        await slots.book(engine, "order-change-b", store, nine)
    await slots.book(engine, "order-change-a", store, ten)  # changed: nine is free again
    await slots.book(engine, "order-change-b", store, nine)
    with pytest.raises(SlotFull):
        await slots.book(engine, "order-change-c", store, ten)
    released = await slots.release(engine, "order-change-a")
    assert released is not None and released.starts_at == ten
    assert await slots.release(engine, "order-change-a") is None  # a repeat frees nothing more
    await slots.book(engine, "order-change-c", store, ten)
    async with engine.connect() as conn:
        remaining = {s.starts_at: s.remaining for s in await slots.day_slots(conn, store, TOMORROW)}
    assert remaining[nine] == 0 and remaining[ten] == 0 and remaining[_at(TOMORROW, 11)] == 1


async def test_a_time_the_store_offers_no_slot_at_is_refused(engine: AsyncEngine) -> None:
    store = await _store(engine, "slots-offered", capacity=2)
    for wrong in (_at(TOMORROW, 12), _at(TOMORROW, 9) + timedelta(minutes=20), _at(TOMORROW, 7)):
        with pytest.raises(InvalidField):
            await slots.book(engine, "order-offered", store, wrong)
    assert await _holders(engine, store) == 0


async def test_the_slots_route_answers_each_slot_with_its_remaining_places(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    store = await _store(engine, "slots-route", capacity=3)
    await slots.book(engine, "order-route-1", store, _at(TOMORROW, 8))
    answer = await api.get(f"/v1/stores/{store}/slots", params={"date": TOMORROW.isoformat()})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(s["capacity"], s["remaining"]) for s in body] == [(3, 2), (3, 3), (3, 3), (3, 3)]
    assert datetime.fromisoformat(body[0]["starts_at"]) == _at(TOMORROW, 8)
    lyon = {"X-API-Key": "test-store-lyon"}
    assert (await api.get(f"/v1/stores/{store}/slots", params={"date": "x"})).status_code == 422
    assert (
        await api.get(f"/v1/stores/{store}/slots", params={"date": TOMORROW.isoformat()}, headers=lyon)
    ).status_code == 403
    assert (
        await api.get("/v1/stores/nowhere/slots", params={"date": TOMORROW.isoformat()})
    ).status_code == 404


async def _slot_at_paris(api: httpx.AsyncClient, index: int) -> dict[str, object]:
    answer = await api.get("/v1/stores/paris-rivoli/slots", params={"date": TOMORROW.isoformat()})
    return dict(answer.json()[index])


async def test_a_slot_asked_at_checkout_is_booked_with_the_order_and_freed_by_its_cancellation(
    api: httpx.AsyncClient, engine: AsyncEngine, client: Client
) -> None:
    chosen = await _slot_at_paris(api, -1)
    order = placement(lines=[("BOTTLE-1L", 1)]).model_copy(
        update={"pickup_slot": datetime.fromisoformat(str(chosen["starts_at"]))}
    )
    assert (await place(api, order)).status_code == 201
    async with engine.connect() as conn:
        booked = await slots.booking(conn, order.order_id)
    assert booked is not None and booked.starts_at == datetime.fromisoformat(str(chosen["starts_at"]))
    assert (await _slot_at_paris(api, -1))["remaining"] == int(str(chosen["remaining"])) - 1
    seen = (await api.get(f"/v1/orders/{order.order_id}")).json()
    starts = datetime.fromisoformat(str(chosen["starts_at"]))
    assert datetime.fromisoformat(seen["pickup_slot"]["starts_at"]) == starts
    assert datetime.fromisoformat(seen["ready_by"]) == starts  # the store's promise aims at the slot
    cancelled = await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "changed my mind"})
    assert cancelled.status_code == 200, cancelled.text
    assert (await _slot_at_paris(api, -1))["remaining"] == chosen["remaining"]
    async with engine.connect() as conn:
        assert await slots.booking(conn, order.order_id) is None
    await client.get_workflow_handle(order.order_id).result()
    await keep_history(client, order.order_id, "slot_booked_then_cancelled")


async def test_a_slot_the_store_does_not_offer_leaves_the_order_without_one(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)]).model_copy(update={"pickup_slot": _at(TOMORROW, 3)})
    assert (await place(api, order)).status_code == 201
    async with engine.connect() as conn:
        assert await slots.booking(conn, order.order_id) is None


async def test_an_order_body_without_a_slot_still_decodes() -> None:
    old = placement().model_dump(mode="json", exclude={"pickup_slot"})
    assert OrderPlacement.model_validate(old).pickup_slot is None
