"""Many open orders waiting on their timers (ready for pickup, awaiting collection) on one box:
the memory of the worker, Temporal and PostgreSQL with them all open, and intake while they wait.

    python -m bench.open_orders --orders 10000 --concurrency 20 [--max-cached-workflows 1000]

Orders are placed, accepted, picked and made ready through the HTTP API of `oms up` (as bench.cpu);
then it prints resident memory per process and per open order, and intake p50/p99 of new orders
placed one at a time while the others wait."""

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from bench.common import percentile
from bench.cpu import SKUS, STORE, Stack, drive
from bench.processes import up_processes


async def ready_order(http: httpx.AsyncClient, n: int) -> None:
    """An order placed and made ready: it then waits for its reminder and expiry timers."""
    sku = SKUS[n % len(SKUS)]
    body = {
        "channel": "bench",
        "channel_order_id": f"O-{uuid.uuid4().hex[:12]}",
        "store_id": STORE,
        "currency": "EUR",
        "customer": {"name": "Bench", "email": "bench@example.com"},
        "lines": [{"sku": sku, "quantity": 1, "unit_price": "10.00"}],
    }
    placed = await http.post("/v1/orders", json=body)
    assert placed.status_code == 201, placed.text
    base = f"/v1/stores/{STORE}/orders/{placed.json()['order_id']}"
    for path, payload in (
        ("accept", None),
        ("pick", {"lines": [{"sku": sku, "quantity": 1}]}),
        ("ready", {"staging_location": "bench"}),
    ):
        answer = await http.post(f"{base}/{path}", json=payload)
        assert answer.status_code == 200, answer.text


async def intake_latency(http: httpx.AsyncClient, count: int) -> list[float]:
    samples = []
    for n in range(count):
        body = {
            "channel": "bench",
            "channel_order_id": f"I-{uuid.uuid4().hex[:12]}",
            "store_id": STORE,
            "currency": "EUR",
            "customer": {"name": "Bench", "email": "bench@example.com"},
            "lines": [{"sku": SKUS[n % len(SKUS)], "quantity": 1, "unit_price": "10.00"}],
        }
        started = time.perf_counter()
        answer = await http.post("/v1/orders", json=body)
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 201, answer.text
    return samples


def memory(stack: Stack) -> dict[str, float]:
    """Resident MiB per role (the sum of its processes)."""
    found = up_processes(stack.up.pid, (stack.scratch / "data" / "postgres").resolve())
    return {role: sum(p.memory_info().rss for p in procs) / 2**20 for role, procs in found.items()}


async def main(orders: int, concurrency: int, cached: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = {"OMS_MAX_CACHED_WORKFLOWS": str(cached)}
        stack = Stack(Path(scratch), 1, 1, None, settings)
        try:
            await stack.ready()
            with psycopg.connect(stack.database_url(), autocommit=True) as conn:
                conn.execute("UPDATE stock_levels SET on_hand = 10000000")
            headers = {"X-API-Key": "demo-ops"}
            async with httpx.AsyncClient(base_url=stack.api, timeout=60, headers=headers) as http:
                idle = memory(stack)
                before = await intake_latency(http, 20)
                started = time.perf_counter()
                rate = await drive(orders, concurrency, lambda n: ready_order(http, n))
                print(f"{orders} orders made ready in {time.perf_counter() - started:.0f} s ({rate:.1f}/s)")
                await asyncio.sleep(5)
                loaded = memory(stack)
                waiting = await intake_latency(http, 20)
        finally:
            stack.stop()
    print(f"open orders: {orders}, max_cached_workflows: {cached}")
    print("resident MiB      idle   with the orders open   per open order (KiB)")
    for role in idle:
        per = (loaded[role] - idle[role]) * 1024 / orders
        print(f"  {role:<10} {idle[role]:8.0f}   {loaded[role]:8.0f}               {per:8.1f}")
    for label, samples in (("before", before), ("while they wait", waiting)):
        p50, p99 = percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000
        print(f"intake one at a time, {label}: p50 {p50:.0f} ms, p99 {p99:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--max-cached-workflows", type=int, default=1000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.orders, arguments.concurrency, arguments.max_cached_workflows))
