"""The store queue in pages: oldest first, `limit` at a time, the next page named by the Link header."""

import base64
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import orders
from api.schemas import OrderPublic
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import TimelineEntry
from tests.conftest import placement
from tests.integration.conftest import add_store

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def queue_of(engine: AsyncEngine, count: int) -> tuple[str, list[OrderView]]:
    """A store of its own with `count` orders recorded a minute apart (the last two at the same minute,
    so the order id decides between them); every third one is ready, the others reserved."""
    store_id = await add_store(
        engine, f"pages-{uuid.uuid4().hex[:8]}", name="Pages", address="1 rue", latitude=48.86, longitude=2.35
    )
    views = []
    for n in range(count):
        at = START + timedelta(minutes=min(n, count - 2))
        status = OrderStatus.READY if n % 3 == 0 else OrderStatus.RESERVED
        views.append(
            OrderView(
                order_id=f"order-webshop-{store_id}-{n:02d}",
                placement=placement(store_id=store_id),
                status=status,
                timeline=[TimelineEntry(at=at, status=status, actor="test")],
                version=1,
            )
        )
    async with engine.begin() as conn:
        for view in reversed(views):  # recorded newest first: the queue's order is not the insert order
            await orders.record(conn, view)
    return store_id, views


def ids(answer: httpx.Response) -> list[str]:
    return [entry["order_id"] for entry in answer.json()]


async def test_the_queue_comes_in_pages_oldest_first_each_naming_the_next(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    store_id, views = await queue_of(engine, 7)
    expected = sorted(views, key=lambda view: (view.timeline[0].at, view.order_id))
    first = await api.get(f"/v1/stores/{store_id}/orders", params={"limit": 3})
    assert first.status_code == 200 and ids(first) == [view.order_id for view in expected[:3]]
    assert first.json()[0] == OrderPublic.seen(expected[0]).model_dump(
        mode="json"
    )  # the same answer as before
    second = await api.get(first.links["next"]["url"])
    assert second.status_code == 200 and ids(second) == [view.order_id for view in expected[3:6]]
    assert "limit=3" in first.links["next"]["url"]
    last = await api.get(second.links["next"]["url"])
    assert ids(last) == [expected[6].order_id] and "link" not in last.headers  # no page after the last
    whole = await api.get(f"/v1/stores/{store_id}/orders")  # default: up to 200 in one page
    assert ids(whole) == [view.order_id for view in expected] and "link" not in whole.headers


async def test_a_page_of_one_status_follows_on_from_its_cursor(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    store_id, views = await queue_of(engine, 7)
    ready = [view.order_id for view in views if view.status is OrderStatus.READY]
    params: dict[str, str | int] = {"status": "ready_for_pickup", "limit": 2}
    first = await api.get(f"/v1/stores/{store_id}/orders", params=params)
    assert ids(first) == ready[:2]
    second = await api.get(first.links["next"]["url"])
    assert ids(second) == ready[2:] and "status=ready_for_pickup" in first.links["next"]["url"]


@pytest.mark.parametrize("limit", ["0", "501", "many"])
async def test_a_limit_out_of_bounds_is_refused_naming_it(api: httpx.AsyncClient, limit: str) -> None:
    answer = await api.get("/v1/stores/paris-rivoli/orders", params={"limit": limit})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        base64.urlsafe_b64encode(b'{"at": 1}').decode(),
        base64.urlsafe_b64encode(b'["yesterday", "order-x"]').decode(),
        base64.urlsafe_b64encode(b'["2026-03-02T09:00:00", "order-x"]').decode(),  # no timezone
        base64.urlsafe_b64encode(b'["2026-03-02T09:00:00+00:00", 7]').decode(),
        base64.urlsafe_b64encode(b'["2026-03-02T09:00:00+00:00", "order-\\u0000"]').decode(),  # a NUL
        base64.urlsafe_b64encode(
            b'["2026-03-02T09:00:00+00:00", "order-\\ud800"]'
        ).decode(),  # lone surrogate
        "é",
        "x" * 401,
    ],
)
async def test_a_cursor_the_queue_did_not_give_is_refused_naming_it(
    api: httpx.AsyncClient, cursor: str
) -> None:
    answer = await api.get("/v1/stores/paris-rivoli/orders", params={"cursor": cursor})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "cursor"]
