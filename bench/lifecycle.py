"""Orders through the whole lifecycle via the HTTP API, against a bare workflow with the same Temporal
steps, on the same dev server in the same run.

    python -m bench.lifecycle --orders 200 --concurrency 20

Prints both throughputs (orders per second), their ratio (OMS / bare), and what one order costs in
Temporal terms: the events of its history, its local activities and activities."""

import argparse
import asyncio
import socket
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import uvicorn
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from adapters.db import create_engine
from adapters.db.migrate import upgrade
from api.app import create_app
from bench.bare import UPDATES, BareWorkflow, bare_step
from bench.common import pickup_code_of
from config.settings import Settings, to_sqlalchemy_url
from devstack import demo
from devstack.embedded import EmbeddedPostgres, temporal_cli
from domain.ids import SEARCH_ATTRIBUTES
from oms.cli import _Server
from worker.main import build_worker

SKUS = [sku for sku, _, _ in demo.PRODUCTS]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _one_order(http: httpx.AsyncClient, n: int) -> str:
    store = "paris-rivoli"
    sku = SKUS[n % len(SKUS)]
    body = {
        "channel": "bench",
        "channel_order_id": f"B-{uuid.uuid4().hex[:12]}",
        "store_id": store,
        "currency": "EUR",
        "customer": {"name": "Bench", "email": "bench@example.com", "phone": "+33600000000"},
        "lines": [{"sku": sku, "quantity": 1, "unit_price": "10.00"}],
    }
    placed = await http.post("/v1/orders", json=body)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    base = f"/v1/stores/{store}/orders/{order_id}"
    for path, payload in (
        ("accept", None),
        ("pick", {"lines": [{"sku": sku, "quantity": 1}]}),
        ("ready", {"staging_location": "bench"}),
    ):
        answer = await http.post(f"{base}/{path}", json=payload)
        assert answer.status_code == 200, answer.text
    collected = await http.post(f"{base}/collect", json={"pickup_code": await pickup_code_of(http, order_id)})
    assert collected.status_code == 200, collected.text
    return str(order_id)


async def _history_cost(client: Client, workflow_id: str) -> str:
    """One workflow's history, once it completed: its events, local activities and activities."""
    handle = client.get_workflow_handle(workflow_id)
    await handle.result()
    history = await handle.fetch_history()
    kinds = Counter(event.event_type for event in history.events)
    local = sum(
        1
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        and event.marker_recorded_event_attributes.marker_name == "core_local_activity"
    )
    scheduled = kinds[EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    return f"{len(history.events)} events, {local} local activities, {scheduled} activities"


async def _bare_order(client: Client, task_queue: str) -> str:
    workflow_id = f"bare-{uuid.uuid4().hex}"
    start = WithStartWorkflowOperation(
        BareWorkflow.run,
        id=workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )
    await client.execute_update_with_start_workflow(UPDATES[0], start_workflow_operation=start)
    handle = client.get_workflow_handle(workflow_id)
    for update in UPDATES[1:]:
        await handle.execute_update(update)
    return workflow_id


async def _drive(count: int, concurrency: int, one) -> float:  # type: ignore[no-untyped-def]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)

    async def runner() -> None:
        while not queue.empty():
            await one(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(runner() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


async def main(orders: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        postgres = EmbeddedPostgres(Path(scratch) / "pg", _free_port())
        database_url = to_sqlalchemy_url(postgres.start())
        try:
            upgrade(database_url)
            env = await WorkflowEnvironment.start_local(
                dev_server_existing_path=temporal_cli(),
                search_attributes=SEARCH_ATTRIBUTES,
                data_converter=pydantic_data_converter,
            )
            try:
                await _run(env.client, database_url, orders, concurrency)
            finally:
                await env.shutdown()
        finally:
            postgres.stop()


async def _run(client: Client, database_url: str, orders: int, concurrency: int) -> None:
    worker_engine = create_engine(database_url, pool_size=concurrency)
    await demo.load(worker_engine)
    async with worker_engine.begin() as conn:  # enough stock for every order
        await conn.exec_driver_sql("UPDATE stock_levels SET on_hand = 1000000")
    port = _free_port()
    settings = Settings(
        database_url=database_url,
        temporal_address=client.service_client.config.target_host,
        task_queue="bench-oms",
        api_port=port,
        demo_keys=True,
    )
    server = _Server(uvicorn.Config(create_app(settings, client=client), port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        async with (
            build_worker(client, worker_engine, "bench-oms"),
            Worker(client, task_queue="bench-bare", workflows=[BareWorkflow], activities=[bare_step]),
        ):
            limits = httpx.Limits(max_connections=concurrency * 2)
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}",
                timeout=60,
                limits=limits,
                headers={"X-API-Key": "demo-ops"},
            ) as http:
                await _drive(min(concurrency, orders), concurrency, lambda n: _one_order(http, n))  # warm-up
                await _drive(
                    min(concurrency, orders), concurrency, lambda n: _bare_order(client, "bench-bare")
                )
                bare = await _drive(orders, concurrency, lambda n: _bare_order(client, "bench-bare"))
                oms = await _drive(orders, concurrency, lambda n: _one_order(http, n))
                oms_cost = await _history_cost(client, await _one_order(http, 0))
                bare_cost = await _history_cost(client, await _bare_order(client, "bench-bare"))
    finally:
        server.should_exit = True
        await serving
        await worker_engine.dispose()
    print(f"orders: {orders}, concurrency: {concurrency}")
    print(f"bare workflow (5 updates, 10 local activities, 3 activities): {bare:8.1f} orders/s")
    print(f"OMS via HTTP API (same updates + PostgreSQL + HTTP):           {oms:8.1f} orders/s")
    print(f"ratio OMS / bare: {oms / bare:.2f}")
    print(f"one order, happy path: {oms_cost} (bare: {bare_cost})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.orders, arguments.concurrency))
