"""Many open orders waiting on their timers (ready for pickup, awaiting collection) on one box: memory,
a worker restart while they wait, intake while they wait, and the read side with a large orders table.

    python -m bench.open_orders --orders 10000 --concurrency 20 [--max-cached-workflows 1000]
                                [--seeded 100000] [--sample 20]

On the production shape (`oms up`: API, Temporal dev server and PostgreSQL in processes of their own;
the worker started by the bench as `oms worker`, so that it can kill it), orders are placed, accepted,
picked and made ready through the HTTP API. Then it prints:
- resident memory per process, idle and with the orders open, and per open order;
- intake p50/p99 of new orders placed one at a time, before and while the others wait;
- two worker restarts, stopped (SIGTERM, it drains) then killed (SIGKILL, as in a crash): how long
  until a new order is taken again (201), and until `--sample` of the waiting orders, chosen at random
  and collected at once, answer (each replayed from its history by the new worker: their timers waited
  on the server meanwhile);
- the store queue (GET /v1/stores/{id}/orders, open ones and all) and availability (GET
  /v1/availability) p50/p99 over HTTP, after `--seeded` collected orders were written straight into the
  read model (orders and their timelines) beside the real ones."""

import argparse
import asyncio
import random
import signal
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil
import psycopg

from bench.common import percentile, pickup_code_of
from bench.cpu import SKUS, STORE, Stack, drive, place, reserved, step
from bench.processes import up_processes

READY = "ready_for_pickup"


def _body(prefix: str, n: int) -> dict[str, object]:
    return {
        "channel": "bench",
        "channel_order_id": f"{prefix}-{uuid.uuid4().hex[:12]}",
        "store_id": STORE,
        "currency": "EUR",
        "customer": {"name": "Bench", "email": "bench@example.com"},
        "lines": [{"sku": SKUS[n % len(SKUS)], "quantity": 1, "unit_price": "10.00"}],
    }


async def ready_order(http: httpx.AsyncClient, n: int, ready: list[str]) -> None:
    """An order placed and made ready: it then waits for its reminder and expiry timers. Placed under
    load, intake may answer 202 (the reservation not decided in time): then it waits until it is."""
    placed = await place(http, _body("O", n))
    order_id = placed.json()["order_id"]
    await reserved(http, placed)
    base = f"/v1/stores/{STORE}/orders/{order_id}"
    for path, payload in (
        ("accept", None),
        ("pick", {"lines": [{"sku": SKUS[n % len(SKUS)], "quantity": 1}]}),
        ("ready", {"staging_location": "bench"}),
    ):
        await step(http, f"{base}/{path}", payload)
    ready.append(order_id)


async def intake_latency(http: httpx.AsyncClient, count: int) -> list[float]:
    samples = []
    for n in range(count):
        started = time.perf_counter()
        answer = await http.post("/v1/orders", json=_body("I", n))
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 201, answer.text
    return samples


async def collect(http: httpx.AsyncClient, order_id: str) -> None:
    """Collect a waiting order (retried while it answers 503 order_busy)."""
    code = await pickup_code_of(http, order_id)
    await step(http, f"/v1/stores/{STORE}/orders/{order_id}/collect", {"pickup_code": code})


def memory(stack: Stack) -> dict[str, float]:
    """Resident MiB per role (the sum of its processes); the worker is the bench's own child."""
    found = up_processes(stack.up.pid, (stack.scratch / "data" / "postgres").resolve())
    found["worker"] = [psutil.Process(child.pid) for child in stack.children if child.poll() is None]
    return {role: sum(p.memory_info().rss for p in procs) / 2**20 for role, procs in found.items()}


async def restart_worker(
    stack: Stack, http: httpx.AsyncClient, ready: list[str], sample: int, how: signal.Signals
) -> None:
    """Stop the worker while the orders wait (SIGTERM: it drains; SIGKILL: a crash), start another, and
    time what answers again: a new order, then `sample` waiting orders collected at once."""
    stack.children[0].send_signal(how)
    stack.children[0].wait()
    stack.children.clear()
    started = time.perf_counter()
    stack.start_worker(stack.worker_command or [])
    while True:  # without a worker in time, intake answers 202: the order waits for one
        answer = await http.post("/v1/orders", json=_body("R", 0))
        if answer.status_code == 201:
            break
        assert answer.status_code == 202, answer.text
    taken = time.perf_counter() - started
    chosen = random.sample(ready, min(sample, len(ready)))
    ready[:] = [order_id for order_id in ready if order_id not in chosen]
    done: list[float] = []

    async def one(order_id: str) -> None:
        await collect(http, order_id)
        done.append(time.perf_counter() - started)

    await asyncio.gather(*(one(order_id) for order_id in chosen))
    print(f"worker restart ({how.name}): a new order taken (201) {taken:.1f} s after the new worker started;")
    print(
        f"  {len(chosen)} waiting orders collected at once: all by {max(done):.1f} s (first {min(done):.1f} s,"
        f" p50 {percentile(done, 0.5):.1f} s)"
    )


SEED_ORDERS = """
INSERT INTO orders (id, channel, channel_order_id, store_id, status, view, version, at_risk,
                    created_at, updated_at)
SELECT 'order-seed-' || n, 'seed', 'S-' || n, stores[1 + n %% cardinality(stores)], 'collected',
       jsonb_set(jsonb_set(t.view, '{order_id}', to_jsonb('order-seed-' || n)),
                 '{placement,store_id}', to_jsonb(stores[1 + n %% cardinality(stores)])),
       t.version, false, now() - (n %% 365) * interval '1 day' - interval '1 hour', now()
  FROM generate_series(1, %(count)s) n,
       (SELECT view, version FROM orders WHERE id = %(template)s) t,
       (SELECT array_agg(id ORDER BY id) AS stores FROM stores WHERE kind = 'store') s
"""
SEED_EVENTS = """
INSERT INTO order_events (order_id, seq, at, status, actor, reason)
SELECT o.id, e.seq, e.at, e.status, e.actor, e.reason
  FROM orders o, order_events e
 WHERE o.id LIKE 'order-seed-%%' AND e.order_id = %(template)s
"""


def seed(stack: Stack, template: str, count: int) -> float:
    """`count` collected orders written straight into the read model, copies of `template` spread over
    the stores and the past year; returns the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(stack.database_url(), autocommit=True) as conn:
        conn.execute(SEED_ORDERS, {"count": count, "template": template})
        conn.execute(SEED_EVENTS, {"template": template})
        conn.execute("ANALYZE orders")
        conn.execute("ANALYZE order_events")
    return time.perf_counter() - started


async def timed_gets(http: httpx.AsyncClient, path: str, count: int) -> tuple[float, float, int]:
    samples, size = [], 0
    for _ in range(count):
        began = time.perf_counter()
        answer = await http.get(path)
        samples.append(time.perf_counter() - began)
        assert answer.status_code == 200, answer.text
        size = len(answer.json()) if isinstance(answer.json(), list) else len(answer.json().get("stores", []))
    return percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000, size


async def read_side(http: httpx.AsyncClient, count: int) -> None:
    basket = "&".join(f"sku={sku}" for sku in SKUS[:3])
    for label, path in (
        ("store queue, ready orders", f"/v1/stores/{STORE}/orders?status={READY}"),
        ("store queue, all (oldest first)", f"/v1/stores/{STORE}/orders"),
        ("availability, 3 SKUs near the store", f"/v1/availability?{basket}&near_store={STORE}"),
    ):
        await timed_gets(http, path, 3)  # warm
        p50, p99, size = await timed_gets(http, path, count)
        print(f"  {label:<38} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  ({size} in the answer)")


def print_memory(idle: dict[str, float], loaded: dict[str, float], orders: int) -> None:
    print("resident MiB      idle   with the orders open   per open order (KiB)")
    for role in idle:
        per = (loaded[role] - idle[role]) * 1024 / orders
        print(f"  {role:<10} {idle[role]:8.0f}   {loaded[role]:8.0f}               {per:8.1f}")


async def main(arguments: argparse.Namespace) -> None:
    orders = arguments.orders
    with tempfile.TemporaryDirectory() as scratch:
        settings = {"OMS_MAX_CACHED_WORKFLOWS": str(arguments.max_cached_workflows)}
        stack = Stack(Path(scratch), 1, 1, None, settings, own_worker=True)
        try:
            await stack.ready()
            with psycopg.connect(stack.database_url(), autocommit=True) as conn:
                conn.execute("UPDATE stock_levels SET on_hand = 10000000")
            headers = {"X-API-Key": "demo-ops"}
            async with httpx.AsyncClient(base_url=stack.api, timeout=120, headers=headers) as http:
                await intake_latency(http, 5)  # warm-up
                idle = memory(stack)
                before = await intake_latency(http, arguments.intake)
                ready: list[str] = []
                started = time.perf_counter()
                rate = await drive(orders, arguments.concurrency, lambda n: ready_order(http, n, ready))
                print(f"{orders} orders made ready in {time.perf_counter() - started:.0f} s ({rate:.1f}/s)")
                await asyncio.sleep(5)
                loaded = memory(stack)
                waiting = await intake_latency(http, arguments.intake)
                for how in (signal.SIGTERM, signal.SIGKILL):
                    await restart_worker(stack, http, ready, arguments.sample, how)
                after_restart = memory(stack)["worker"]
                template = ready.pop()
                await collect(http, template)
                seconds = seed(stack, template, arguments.seeded)
                print(
                    f"read side, {arguments.seeded} collected orders seeded in {seconds:.0f} s beside the rest:"
                )
                await read_side(http, arguments.queries)
        finally:
            stack.stop()
    print(f"open orders: {orders}, max_cached_workflows: {arguments.max_cached_workflows}")
    print_memory(idle, loaded, orders)
    print(f"  worker after its restarts (and {2 * arguments.sample} replays): {after_restart:.0f} MiB")
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
    parser.add_argument("--seeded", type=int, default=100_000, help="collected orders written straight in")
    parser.add_argument("--sample", type=int, default=20, help="waiting orders collected after the restart")
    parser.add_argument("--intake", type=int, default=30, help="orders placed one at a time per intake test")
    parser.add_argument("--queries", type=int, default=50, help="requests per read-side query")
    asyncio.run(main(parser.parse_args()))
