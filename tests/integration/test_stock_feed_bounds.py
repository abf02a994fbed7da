"""The store feed against real PostgreSQL: one bad event never costs the good ones, no event dated far
from now is taken, and a count that does not stand says so (issue 19 #3)."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import stock
from domain.stock import Movement, MovementKind
from tests.integration.test_stock import _event, level, new_sku


async def test_an_event_beyond_what_a_row_holds_is_rejected_and_the_sale_before_it_stays(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=2_147_000_000)
    now, tag = datetime.now(UTC), uuid.uuid4().hex[:6]
    batch = [
        _event(f"{tag}-sale", sku, "sale", 1, now),
        _event(f"{tag}-receipt", sku, "receipt", 1_000_000, now),
    ]
    answer = await api.post("/v1/inventory/events", json=batch)
    assert answer.status_code == 200, answer.text
    assert [e["event_id"] for e in answer.json()["applied"]] == [f"{tag}-sale"]
    [rejected] = answer.json()["rejected"]
    assert rejected["index"] == 1 and rejected["reasons"][0].startswith("quantity: on hand would become")
    assert (await level(engine, sku)).on_hand == 2_146_999_999
    kept = (await api.get("/v1/inventory/rejections", params={"limit": 20})).json()
    assert f"{tag}-receipt" in {r["event_id"] for r in kept}


async def test_events_dated_far_ahead_or_long_ago_are_rejected_with_the_reason(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=5)
    now, tag = datetime.now(UTC), uuid.uuid4().hex[:6]
    batch = [
        _event(f"{tag}-doomsday", sku, "count", 3, datetime(9999, 12, 31, tzinfo=UTC)),
        _event(f"{tag}-ancient", sku, "sale", 1, datetime(1, 1, 1, tzinfo=UTC)),
        _event(f"{tag}-sale", sku, "sale", 1, now),
    ]
    answer = (await api.post("/v1/inventory/events", json=batch)).json()
    assert [e["event_id"] for e in answer["applied"]] == [f"{tag}-sale"]
    reasons = {r["index"]: r["reasons"] for r in answer["rejected"]}
    assert reasons[0] == ["occurred_at: more than 15 minutes ahead of the OMS's clock"]
    assert reasons[1] == ["occurred_at: more than 30 days in the past"]
    count = await api.put(f"/v1/stores/nyc-soho/stock/{sku}", json={"on_hand": 7})
    assert count.status_code == 200 and count.json()["on_hand"] == 7


async def test_a_count_after_the_stores_own_count_makes_the_put_answer_409_not_the_old_value(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=5)
    soon = datetime.now(UTC) + timedelta(minutes=5)  # a POS clock a little ahead: within the skew
    tag = uuid.uuid4().hex[:6]
    assert (
        await api.post("/v1/inventory/events", json=[_event(f"{tag}-c", sku, "count", 9, soon)])
    ).status_code == 200
    answer = await api.put(f"/v1/stores/nyc-soho/stock/{sku}", json={"on_hand": 4, "safety_stock": 1})
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["error"] == "count_superseded" and body["on_hand"] == 9
    assert datetime.fromisoformat(body["later_count_at"]) == soon
    assert (await level(engine, sku)).on_hand == 9 and (await level(engine, sku)).safety_stock == 0
    older = _event(f"{tag}-older", sku, "count", 50, soon - timedelta(minutes=30))
    [result] = (await api.post("/v1/inventory/events", json=[older])).json()["applied"]
    assert result["status"] == "superseded" and result["on_hand_delta"] == 0
    assert datetime.fromisoformat(result["superseded_by"]) == soon


async def test_a_count_recorded_far_in_the_future_before_the_fix_no_longer_freezes_the_row(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=5)
    doomsday = Movement(
        store_id="nyc-soho",
        sku=sku,
        kind=MovementKind.COUNT,
        on_hand_delta=-3,
        reason="count",
        source="store feed",
        key=f"event:doom-{uuid.uuid4().hex[:6]}",
        occurred_at=datetime(9999, 12, 31, tzinfo=UTC),
    )
    async with engine.begin() as conn:  # as the feed took it before events were checked against the clock
        await stock.record(conn, [doomsday])
    answer = await api.put(f"/v1/stores/nyc-soho/stock/{sku}", json={"on_hand": 7})
    assert answer.status_code == 200 and answer.json()["on_hand"] == 7


async def test_a_non_text_event_id_is_rejected_not_fatal(api: httpx.AsyncClient, engine: AsyncEngine) -> None:
    sku = await new_sku(engine, on_hand=5)
    now, tag = datetime.now(UTC), uuid.uuid4().hex[:6]
    odd = {**_event("x", sku, "sale", 1, now), "event_id": 12}
    answer = await api.post("/v1/inventory/events", json=[_event(f"{tag}-sale", sku, "sale", 1, now), odd])
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"][0]["event_id"] is None
    assert (await level(engine, sku)).on_hand == 4
