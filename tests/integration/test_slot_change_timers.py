"""A slot changed on the customer page reaches the running order on the real dev server: the store's
promise aims at the new slot (the ready timer starts again), and a ready order's hold and reminders are
planned again from it (the waiting timer is cancelled and started anew)."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from adapters.db import slots as slot_rows
from domain.deadlines import pickup_deadline
from domain.order_state import OrderView
from domain.slots import SlotRule
from services import pickup_page
from services.orders import OrderDesk, find_order
from tests.conftest import placement
from tests.integration.conftest import add_store, eventually, keep_history
from tests.integration.flow import place, step
from tests.integration.test_stock import new_sku
from workflows.order.collection import COLLECTION_TIMERS
from workflows.order.preparation import AT_RISK_TIMERS

STORE = "paris-test-slot-timers"
TODAY = datetime.now(UTC).date()


def _at(days: int, hour: int) -> datetime:
    day = TODAY + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def _store(engine: AsyncEngine) -> str:
    """Open all day every day (UTC), hour-long slots of five orders."""
    await add_store(
        engine,
        STORE,
        name="Slot timers (test)",
        address="2 rue du Test",
        latitude=48.86,
        longitude=2.35,
        timezone="UTC",
        opening_hours=[{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)],
    )
    async with engine.begin() as conn:
        await slot_rows.set_rules(
            conn, STORE, [SlotRule(weekday=d, minutes=60, capacity=5) for d in range(7)]
        )
    return STORE


async def _timers(client: Client, order_id: str) -> tuple[list[tuple[str, datetime]], int]:
    """The timers the order started (name, when it fires) in order, and how many it cancelled."""
    history = await client.get_workflow_handle(order_id).fetch_history()
    started, cancelled = [], 0
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            [name] = await client.data_converter.decode([event.user_metadata.summary], [str])
            timeout = event.timer_started_event_attributes.start_to_fire_timeout.ToTimedelta()
            started.append((str(name), event.event_time.ToDatetime(tzinfo=UTC) + timeout))
        elif event.event_type == EventType.EVENT_TYPE_TIMER_CANCELED:
            cancelled += 1
    return started, cancelled


def _near(a: datetime, b: datetime) -> bool:
    return abs(a - b) < timedelta(seconds=5)


async def test_a_slot_changed_on_the_pickup_page_moves_the_running_orders_timers(
    api: httpx.AsyncClient, engine: AsyncEngine, client: Client
) -> None:
    desk = OrderDesk(client=client, engine=engine, wait=timedelta(seconds=10))
    sku = await new_sku(engine, on_hand=2, store_id=await _store(engine))
    first, sooner, later = _at(3, 10), _at(1, 10), _at(4, 11)
    order = placement(lines=[(sku, 1)], store_id=STORE).model_copy(update={"pickup_slot": first})
    assert (await place(api, order)).status_code == 201
    assert (await step(api, order, "accept")).status_code == 200

    async def view() -> OrderView:
        return await find_order(desk, order.order_id)

    async def moved_on(cancelled_before: int, changed: Callable[[OrderView], bool]) -> bool:
        """The workflow cancelled a timer since, and recorded the change."""
        return (await _timers(client, order.order_id))[1] > cancelled_before and changed(await view())

    # in preparation: the promise aims at the first slot, then (changed to a sooner one) at it
    aimed = await view()
    assert aimed.ready_by == first and aimed.sla is not None
    # The at-risk warning, kept: counted in opening hours, so a promise across the nightly closing
    # (23:59-00:00) is a minute longer than the policy's share of it.
    warning = aimed.sla.ready_by - aimed.sla.ready_at_risk
    _, cancelled = await _timers(client, order.order_id)
    await pickup_page.choose_slot(desk, await view(), sooner, datetime.now(UTC))
    await eventually(lambda: moved_on(cancelled, lambda seen: seen.ready_by == sooner))
    started, _ = await _timers(client, order.order_id)
    assert started[-1][0] == AT_RISK_TIMERS["ready"] and _near(started[-1][1], sooner - warning)

    # ready: the hold counts from the slot; a later slot moves the hold and plans the messages again
    picked = await step(api, order, "pick", {"lines": [{"sku": sku, "quantity": 1}]})
    assert picked.status_code == 200, picked.text
    assert (await step(api, order, "ready", {"staging_location": "shelf C1"})).status_code == 200
    ready = await view()
    store = ready.store
    assert store is not None and ready.pickup_deadline == pickup_deadline(sooner, timedelta(hours=72), store)
    _, cancelled = await _timers(client, order.order_id)
    await pickup_page.choose_slot(desk, ready, later, datetime.now(UTC))
    await eventually(lambda: moved_on(cancelled, lambda seen: seen.pickup_deadline != ready.pickup_deadline))
    moved = await view()
    assert moved.pickup_slot is not None and moved.pickup_slot.starts_at == later
    assert moved.pickup_deadline == pickup_deadline(later, timedelta(hours=72), store)
    assert moved.pickup_deadline == datetime.combine(later.date() + timedelta(days=3), time(23, 59), UTC)
    started, _ = await _timers(client, order.order_id)
    assert started[-1][0] in COLLECTION_TIMERS.values()  # the first message of the new plan
    cancelled_order = await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "test over"})
    assert cancelled_order.status_code == 200, cancelled_order.text
    await client.get_workflow_handle(order.order_id).result()
    await keep_history(client, order.order_id, "slot_changed_twice_then_cancelled")


async def test_a_channel_changes_the_slot_through_the_api_and_the_promise_follows(
    api: httpx.AsyncClient, engine: AsyncEngine, client: Client
) -> None:
    sku = await new_sku(engine, on_hand=1, store_id=await _store(engine))
    first, other = _at(3, 9), _at(2, 14)
    order = placement(lines=[(sku, 1)], store_id=STORE).model_copy(update={"pickup_slot": first})
    assert (await place(api, order)).status_code == 201
    path = f"/v1/orders/{order.order_id}/pickup-slot"
    changed = await api.post(path, json={"starts_at": other.isoformat()})
    assert changed.status_code == 200, changed.text
    assert datetime.fromisoformat(changed.json()["starts_at"]) == other

    async def promised() -> bool:
        seen = (await api.get(f"/v1/orders/{order.order_id}")).json()
        return datetime.fromisoformat(seen["ready_by"]) == other

    await eventually(promised)
    wrong = await api.post(path, json={"starts_at": (other + timedelta(minutes=20)).isoformat()})
    assert wrong.status_code == 422 and "starts_at" in wrong.text
    assert (await api.post(path, json={"starts_at": "tomorrow"})).status_code == 422
    store_key = {"X-API-Key": "test-store-lyon"}
    assert (await api.post(path, json={"starts_at": other.isoformat()}, headers=store_key)).status_code == 403
    assert (
        await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "test over"})
    ).status_code == 200
    late = await api.post(path, json={"starts_at": _at(4, 9).isoformat()})
    assert late.status_code == 409 and late.json()["error"] == "transition_not_allowed"
