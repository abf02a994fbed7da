"""The read side with a large orders table: the store console's queue page, the JSON store queue and
availability, in process (the app through httpx's ASGI transport, no network), on a scratch database
holding `--orders` collected orders (with their timelines, spread over the stores and a year) and
`--open` open orders in one store.

    python -m bench.read_side [--orders 100000] [--open 300] [--requests 200] [--page 200]

Targets: the store's queue (the console page and GET /v1/stores/{id}/orders) p95 < 100 ms;
availability (GET /v1/availability, and routing's candidate query) p99 < 25 ms. The baseline of each,
measured in the same run through the same engine, is the same question as one raw SQL query (the rows
fetched, nothing built from them): the ratio says what the app adds to the database's own work."""

import argparse
import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import cast

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import create_engine, orders, routing
from adapters.db.availability import _BASKET_NEAR
from api.app import create_app
from bench.common import percentile, scratch_database
from bench.console import STORE, open_order
from bench.open_orders import SEED_EVENTS, SEED_ORDERS
from config.settings import Settings
from devstack import demo
from domain.access import Grant, Role
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import PickedLine, StoreProfile, TimelineEntry

TEMPLATE = "order-webshop-TEMPLATE"
KEY = {"X-API-Key": "bench-store"}
BASKET = [sku for sku, _, _ in demo.PRODUCTS[:3]]
READY = OrderStatus.READY.value
Timed = Callable[[], Awaitable[object]]


def collected_template(now: datetime) -> OrderView:
    """A collected order as the workflow records it: its store, SLA, six timeline entries, picked and
    collected lines."""
    store = StoreProfile.model_validate(next(s for s in demo.STORES if s["id"] == STORE))
    order = open_order(0, now, count=1)
    placed = order.timeline[0].at
    steps = [
        OrderStatus.RECEIVED,
        OrderStatus.RESERVED,
        OrderStatus.ACCEPTED,
        OrderStatus.PICKED,
        OrderStatus.READY,
        OrderStatus.COLLECTED,
    ]
    lines = [PickedLine(sku=line.sku, quantity=line.quantity) for line in order.placement.lines]
    return order.model_copy(
        update={
            "order_id": TEMPLATE,
            "status": OrderStatus.COLLECTED,
            "store": store,
            "timeline": [
                TimelineEntry(at=placed + timedelta(minutes=10 * n), status=status, actor="store:bench/lea")
                for n, status in enumerate(steps)
            ],
            "ready_at": placed + timedelta(minutes=40),
            "pickup_deadline": placed + timedelta(days=3),
            "picked": lines,
            "collected": lines,
            "version": 7,
        }
    )


async def seed(engine: AsyncEngine, collected: int, open_count: int) -> float:
    """The demo's master data, `collected` copies of a collected order spread over the stores and the past
    year (the SQL of bench.open_orders), and `open_count` open orders at STORE; returns the seconds."""
    started = time.perf_counter()
    await demo.load(engine)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await orders.record(conn, OrderView.model_validate(collected_template(now).model_dump()))
        await conn.exec_driver_sql(SEED_ORDERS, {"count": collected, "template": TEMPLATE})
        await conn.exec_driver_sql(SEED_EVENTS, {"template": TEMPLATE})
        for index in range(open_count):
            await orders.record(conn, open_order(index, now, count=open_count))
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("ANALYZE orders")
        await conn.exec_driver_sql("ANALYZE order_events")
    return time.perf_counter() - started


async def timings(call: Timed, requests: int) -> list[float]:
    for _ in range(min(20, requests)):  # warm up
        await call()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def get(http: httpx.AsyncClient, path: str, check: Callable[[httpx.Response], bool], **headers: str) -> Timed:
    async def call() -> httpx.Response:
        response = await http.get(path, headers=headers)
        assert response.status_code == 200 and check(response), response.text[:300]
        return response

    return call


def raw(engine: AsyncEngine, sql: str, params: dict[str, object]) -> Timed:
    """The same question as one raw SQL query through the same engine: rows fetched, nothing built."""
    statement = text(sql)

    async def call() -> object:
        async with engine.connect() as conn:
            return (await conn.execute(statement, params)).all()

    return call


async def sign_in(http: httpx.AsyncClient) -> None:
    form = (await http.get("/store/sign-in")).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf
    data = {"csrf": csrf.group(1), "key": "bench-store", "associate": "Bench"}
    assert (await http.post("/store/sign-in", data=data)).status_code == 303


QUEUE_SQL = """SELECT view::text FROM orders WHERE store_id = :store {where}
ORDER BY created_at, id LIMIT :limit"""
CONSOLE_SQL = """SELECT id, status, channel_order_id, view #>> '{placement,customer,name}', view -> 'sla',
       view -> 'stock_at_risk', view ->> 'staging_location', view -> 'check_in'
  FROM orders WHERE store_id = :store AND status IN ('reserved', 'accepted', 'picked', 'ready_for_pickup')
 ORDER BY created_at LIMIT 1000"""


async def next_page(
    http: httpx.AsyncClient, engine: AsyncEngine, page: int
) -> list[tuple[str, Timed, Timed]]:
    """The queue's second page, through the cursor the first one's Link header gave (none before paging)."""
    first = await http.get(f"/v1/stores/{STORE}/orders?limit={page}", headers=KEY)
    if "next" not in first.links:
        return []
    after = {"store": STORE, "limit": page, "after": first.json()[-1]["order_id"]}
    where = "AND (created_at, id) > (SELECT created_at, id FROM orders WHERE id = :after)"
    return [
        (
            "JSON queue, all, next page",
            get(http, first.links["next"]["url"], lambda r: len(r.json()) == page, **KEY),
            raw(engine, QUEUE_SQL.format(where=where), after),
        )
    ]


def questions(
    http: httpx.AsyncClient, engine: AsyncEngine, open_count: int, page: int
) -> list[tuple[str, Timed, Timed]]:
    """(what, ours, its baseline) for each read measured."""
    profile = StoreProfile.model_validate(next(s for s in demo.STORES if s["id"] == STORE))
    basket = "&".join(f"sku={sku}" for sku in BASKET)
    near = {
        "min_lat": profile.latitude - 0.5,
        "max_lat": profile.latitude + 0.5,
        "min_lon": profile.longitude - 0.7,
        "max_lon": profile.longitude + 0.7,
        "skus": BASKET,
    }

    async def candidates() -> object:
        async with engine.connect() as conn:
            return await routing.candidates(conn, BASKET, near=profile, radius_km=50)

    ready_page = min(page, open_count // 4)
    return [
        (
            "console page /store/",
            get(http, "/store/", lambda r: r.text.count('class="order-card') == open_count),
            raw(engine, CONSOLE_SQL, {"store": STORE}),
        ),
        (
            f"JSON queue ?status={READY}",
            get(
                http,
                f"/v1/stores/{STORE}/orders?status={READY}&limit={page}",
                lambda r: len(r.json()) >= ready_page,
                **KEY,
            ),
            raw(
                engine,
                QUEUE_SQL.format(where="AND status = :status"),
                {"store": STORE, "status": READY, "limit": page},
            ),
        ),
        (
            "JSON queue, all, oldest first",
            get(http, f"/v1/stores/{STORE}/orders?limit={page}", lambda r: len(r.json()) == page, **KEY),
            raw(engine, QUEUE_SQL.format(where=""), {"store": STORE, "limit": page}),
        ),
        (
            "availability, 3 SKUs near",
            get(
                http,
                f"/v1/availability?{basket}&near_store={STORE}",
                lambda r: bool(r.json()["stores"]),
                **KEY,
            ),
            raw(engine, str(_BASKET_NEAR), near),
        ),
        (
            "routing candidates (query)",
            candidates,
            raw(engine, str(routing._CANDIDATES), {**near, "shipping": False}),
        ),
    ]


async def run(url: str, collected: int, open_count: int, requests: int, page: int) -> None:
    engine = create_engine(url)
    seconds = await seed(engine, collected, open_count)
    settings = Settings(
        tracking_secret="bench", api_keys={"bench-store": Grant(role=Role.STORE, store_id=STORE)}
    )
    app = create_app(settings, client=cast(Client, object()), engine=engine)  # reads need no Temporal
    results: list[tuple[str, list[float], list[float]]] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms") as http:
            await sign_in(http)
            measured = questions(http, engine, open_count, page)
            measured[3:3] = await next_page(http, engine, page)
            for label, call, baseline in measured:
                results.append((label, await timings(call, requests), await timings(baseline, requests)))
    await engine.dispose()
    print(
        f"{collected} collected orders (seeded in {seconds:.0f} s) and {open_count} open at {STORE}; "
        f"{requests} requests each, in process (ms)"
    )
    print(f"{'':>32} {'p50':>7} {'p95':>7} {'p99':>7}   baseline p50/p95/p99   ratio p95")
    for label, ours, base in results:
        mine = [percentile(ours, f) for f in (0.5, 0.95, 0.99)]
        theirs = [percentile(base, f) for f in (0.5, 0.95, 0.99)]
        ratio = mine[1] / theirs[1]
        print(
            f"{label:>32} {mine[0]:>7.1f} {mine[1]:>7.1f} {mine[2]:>7.1f}   "
            f"{theirs[0]:>6.1f} {theirs[1]:>6.1f} {theirs[2]:>6.1f}   {ratio:>8.1f}"
        )
    print("targets: queue p95 < 100 ms (console page, JSON queue); availability p99 < 25 ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=100_000, help="collected orders in the read model")
    parser.add_argument("--open", type=int, default=300, help="open orders at the measured store")
    parser.add_argument("--requests", type=int, default=200, help="requests per question")
    parser.add_argument("--page", type=int, default=200, help="the JSON queue's limit (1-500)")
    args = parser.parse_args()
    with scratch_database() as url:
        asyncio.run(run(url, args.orders, args.open, args.requests, args.page))


if __name__ == "__main__":
    main()
