"""The store console's queue page for a store with 300 open orders, against the JSON store queue
(GET /v1/stores/{id}/orders, which returns at most 200 of them) measured in the same run, same database.

    python -m bench.console [--requests 200]

Target: the page's p95 under 100 ms, server-side (the app in process, no network)."""

import argparse
import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import cast

import httpx
from temporalio.client import Client

from adapters.db import create_engine, orders
from api.app import create_app
from bench.common import percentile, scratch_database
from config.settings import Settings
from devstack import demo
from domain.access import Grant, Role
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import Customer, OrderLine, OrderPlacement, PreparationSla, TimelineEntry

STORE, OPEN_ORDERS = "paris-rivoli", 300
STATUSES = [OrderStatus.RESERVED, OrderStatus.ACCEPTED, OrderStatus.PICKED, OrderStatus.READY]


def open_order(index: int, now: datetime, count: int = OPEN_ORDERS) -> OrderView:
    """The `index`th of `count` open orders at STORE, placed a minute apart, the last one now."""
    placement = OrderPlacement(
        channel="webshop",
        channel_order_id=f"B-{index:05d}",
        store_id=STORE,
        currency="EUR",
        customer=Customer(name=f"Customer {index}", email="c@example.com", phone="+33612345678"),
        lines=[
            OrderLine(sku="TENT-2P", quantity=1, unit_price=Decimal("149.00")),
            OrderLine(sku="HEADLAMP-300", quantity=2, unit_price=Decimal("24.99")),
        ],
    )
    placed = now - timedelta(minutes=count - index)
    status = STATUSES[index % len(STATUSES)]
    sla = PreparationSla(
        accept_at_risk=placed + timedelta(minutes=20),
        accept_by=placed + timedelta(minutes=30),
        ready_at_risk=placed + timedelta(hours=1, minutes=30),
        ready_by=placed + timedelta(hours=2),
    )
    timeline = [TimelineEntry(at=placed, status=status, actor="bench")]
    staging = "shelf B3" if status is OrderStatus.READY else None
    return OrderView(
        order_id=placement.order_id,
        placement=placement,
        status=status,
        timeline=timeline,
        sla=sla,
        staging_location=staging,
        version=1,
        store=next(store for store in demo.STORES if store["id"] == STORE),
    )


async def _timings(http: httpx.AsyncClient, path: str, requests: int, **headers: str) -> list[float]:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await http.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:200]
    return samples


async def run(url: str, requests: int) -> None:
    engine = create_engine(url)
    await demo.load(engine)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        for index in range(OPEN_ORDERS):
            await orders.record(conn, open_order(index, now))
    settings = Settings(
        tracking_secret="bench", api_keys={"bench-store": Grant(role=Role.STORE, store_id=STORE)}
    )
    app = create_app(settings, client=cast(Client, object()), engine=engine)  # the queue needs no Temporal
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms") as http:
            form = (await http.get("/store/sign-in")).text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)
            assert csrf
            data = {"csrf": csrf.group(1), "key": "bench-store", "associate": "Bench"}
            assert (await http.post("/store/sign-in", data=data)).status_code == 303
            page = (await http.get("/store/")).text
            assert page.count('class="order-card') == OPEN_ORDERS, "every open order on the page"
            await _timings(http, "/store/", 20)  # warm up both
            await _timings(http, f"/v1/stores/{STORE}/orders", 20, **{"X-API-Key": "bench-store"})
            ours = await _timings(http, "/store/", requests)
            base = await _timings(
                http, f"/v1/stores/{STORE}/orders", requests, **{"X-API-Key": "bench-store"}
            )
    await engine.dispose()
    print(f"queue of {OPEN_ORDERS} open orders at {STORE}, {requests} requests each (ms)")
    print(f"{'':>22} {'p50':>7} {'p95':>7} {'p99':>7}")
    for name, samples in (("console page /store/", ours), ("JSON queue (200 max)", base)):
        p50, p95, p99 = (percentile(samples, f) for f in (0.5, 0.95, 0.99))
        print(f"{name:>22} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f}")
    ratio = percentile(ours, 0.95) / percentile(base, 0.95)
    print(f"page p95 / JSON p95 = {ratio:.2f}; page p95 {percentile(ours, 0.95):.1f} ms (target < 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with scratch_database() as url:
        asyncio.run(run(url, args.requests))


if __name__ == "__main__":
    main()
