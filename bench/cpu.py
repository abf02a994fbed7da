"""CPU per order: orders through the whole lifecycle via the HTTP API of `oms up` (API and worker in
processes of their own, SQLite-WAL dev server, embedded PostgreSQL), against a bare workflow of the same
shape (one local activity per update, three activities) in its own worker process, same server, same run.

    python -m bench.cpu --orders 150 --concurrency 20 [--workers 1 --api-processes 1] [--profile FILE]

Prints orders/s of each and their ratio, CPU seconds per order of each process (API, worker, Temporal
server, PostgreSQL; the bare worker and the server for the bare run) and the ratios, intake p50/p99 under
that load, and the history events of one happy-path order. `--spy FOLDER` records the API and the
worker with py-spy during the OMS run (`python -m bench.spy FOLDER/worker.txt` summarises);
`--profile FILE` runs the worker under bench.sampler (cProfile by thread CPU time) instead."""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil
import psycopg
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from bench.bare import UPDATES, BareWorkflow
from bench.common import free_port, percentile, pickup_code_of
from bench.driver import HttpAnswer, HttpDriver, LeanClient
from bench.processes import ROLES, CpuMeter, up_processes
from bench.spy import Spy
from devstack import demo

SKUS = [sku for sku, _, _ in demo.PRODUCTS]
STORE = "paris-rivoli"
BARE_QUEUE = "bench-bare"


class Stack:
    """`oms up` on a scratch data folder and free ports, plus a bare workflow worker beside it."""

    def __init__(
        self,
        scratch: Path,
        workers: int,
        api_processes: int,
        profile: str | None,
        settings: dict[str, str] | None = None,
        own_worker: bool = False,
    ) -> None:
        """`own_worker`: `oms up` starts no worker; the bench starts `oms worker` itself (to restart it)."""
        self.scratch = scratch
        self.ports = {name: free_port() for name in ("api", "temporal", "ui", "postgres")}
        self.api = f"http://127.0.0.1:{self.ports['api']}"
        self.temporal = f"127.0.0.1:{self.ports['temporal']}"
        self.log = open(scratch / "up.log", "wb")  # noqa: SIM115 - closed in stop()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_") and k != "DATABASE_URL"}
        env.update(settings or {})
        command = [sys.executable, "-m", "oms", "up", "--data-dir", str(scratch / "data")]
        command += ["--api-port", str(self.ports["api"]), "--temporal-port", str(self.ports["temporal"])]
        command += [
            "--temporal-ui-port",
            str(self.ports["ui"]),
            "--postgres-port",
            str(self.ports["postgres"]),
        ]
        command += ["--workers", "0" if profile or own_worker else str(workers)]
        command += ["--api-processes", str(api_processes)]
        self.up = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.children: list[subprocess.Popen[bytes]] = []
        self.profile = profile
        self.settings = settings or {}
        self.worker_command = [sys.executable, "-m", "bench.sampler", profile] if profile else None
        if own_worker:
            self.worker_command = [sys.executable, "-m", "oms", "worker"]

    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports['postgres']}/oms"

    def worker_environment(self) -> dict[str, str]:
        keys = json.loads((self.scratch / "data" / "payload_keys.json").read_text())
        return {
            **os.environ,
            **self.settings,
            "DATABASE_URL": self.database_url(),
            "OMS_TEMPORAL_ADDRESS": self.temporal,
            "OMS_PAYLOAD_KEYS": json.dumps(keys["keys"]),
            "OMS_PAYLOAD_KEY_ID": keys["active"],
            "OMS_API_PORT": str(self.ports["api"]),
        }

    async def ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                assert self.up.poll() is None, (self.scratch / "up.log").read_text()[-3000:]
                try:
                    answer = await http.get(f"{self.api}/readyz", timeout=2)
                    checks = answer.json().get("checks", {})
                except (httpx.HTTPError, ValueError):
                    checks = {}
                if self.worker_command and not self.children and checks.get("temporal") == "ok":
                    self.start_worker(self.worker_command)
                if answer_ready(checks):
                    return
                await asyncio.sleep(1)
        raise TimeoutError("oms up not ready: see " + str(self.scratch / "up.log"))

    def start_worker(self, command: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, env=self.worker_environment(), stdout=self.log, stderr=self.log)
        self.children.append(process)
        return process

    def stop(self) -> None:
        for process in [*self.children, self.up]:
            if process.poll() is not None:
                continue
            process.terminate()
            process.wait(timeout=90)
        self.log.close()


def answer_ready(checks: dict[str, str]) -> bool:
    return bool(checks) and all(value == "ok" for value in checks.values())


async def one_order(http: HttpDriver, n: int, intake: list[float]) -> str:
    sku = SKUS[n % len(SKUS)]
    body: dict[str, object] = {
        "channel": "bench",
        "channel_order_id": f"C-{uuid.uuid4().hex[:12]}",
        "store_id": STORE,
        "currency": "EUR",
        "customer": {"name": "Bench", "email": "bench@example.com", "phone": "+33600000000"},
        "lines": [{"sku": sku, "quantity": 1, "unit_price": "10.00"}],
    }
    started = time.perf_counter()
    placed = await place(http, body)
    intake.append(time.perf_counter() - started)
    order_id = str(placed.json()["order_id"])
    await reserved(http, placed)
    base = f"/v1/stores/{STORE}/orders/{order_id}"
    for path, payload in (
        ("accept", None),
        ("pick", {"lines": [{"sku": sku, "quantity": 1}]}),
        ("ready", {"staging_location": "bench"}),
    ):
        await step(http, f"{base}/{path}", payload)
    await step(http, f"{base}/collect", {"pickup_code": await pickup_code_of(http, order_id)})
    return order_id


async def place(http: HttpDriver, body: dict[str, object]) -> HttpAnswer:
    """POST /v1/orders, again while it answers a named 503 (as a channel does: the same channel order id
    makes a repeat harmless)."""
    for _ in range(20):
        placed = await http.post("/v1/orders", json=body)
        if placed.status_code != 503:
            return placed
        await asyncio.sleep(0.5)
    raise TimeoutError(f"intake kept answering 503: {placed.text}")


async def reserved(http: HttpDriver, placed: HttpAnswer) -> None:
    """Intake answered 201, or 202 under load (the reservation not decided in time): then wait for it."""
    assert placed.status_code in (201, 202), placed.text
    order_id = placed.json()["order_id"]
    status = placed.json()["status"] if placed.status_code == 201 else None
    while status in (None, "received"):
        await asyncio.sleep(0.5)
        answer = await http.get(f"/v1/orders/{order_id}")
        status = answer.json()["status"] if answer.status_code == 200 else None
    assert status == "reserved", f"{order_id}: {status}"


async def step(http: HttpDriver, path: str, payload: object) -> None:
    """A store step, again while it answers a named 503 (`order_busy`: the update waited longer than
    the API waits, under load; `database_unavailable`: no connection in time); a retry refused because
    the step had gone through after all is done."""
    retried = False
    for _ in range(100):
        answer = await http.post(path, json=payload)
        if answer.status_code == 200:
            return
        error = answer.json().get("error")
        if retried and answer.status_code == 409 and error == "transition_not_allowed":
            return
        assert answer.status_code == 503, answer.text
        retried = True
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{path}: the order stayed busy")


async def bare_order(client: Client) -> str:
    workflow_id = f"bare-{uuid.uuid4().hex}"
    start = WithStartWorkflowOperation(
        BareWorkflow.run,
        1,  # the OMS's shape now: one local activity (one transaction) per step
        id=workflow_id,
        task_queue=BARE_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )
    await client.execute_update_with_start_workflow(UPDATES[0], start_workflow_operation=start)
    handle = client.get_workflow_handle(workflow_id)
    for update in UPDATES[1:]:
        await handle.execute_update(update)
    return workflow_id


async def drive(count: int, concurrency: int, one) -> float:  # type: ignore[no-untyped-def]
    todo = iter(range(count))

    async def runner() -> None:
        for n in todo:
            await one(n)

    started = time.perf_counter()
    await asyncio.gather(*(runner() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


async def history_events(client: Client, workflow_id: str) -> int:
    """The events of a workflow's history once it completed (no payload decoded)."""
    handle = client.get_workflow_handle(workflow_id)
    for _ in range(100):
        if (await handle.describe()).status.name != "RUNNING":  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.1)
    return len((await handle.fetch_history()).events)


def spied(found: dict[str, list[psutil.Process]]) -> dict[str, int]:
    """The Python processes py-spy records: API and worker (numbered when there are several)."""
    return {
        f"{role}{n or ''}": process.pid for role in ("api", "worker") for n, process in enumerate(found[role])
    }


async def measure(
    stack: Stack, orders: int, concurrency: int, spy_folder: str | None = None, settle: float = 2.0
) -> None:
    await stack.ready()
    with psycopg.connect(stack.database_url(), autocommit=True) as conn:  # enough stock for every order
        conn.execute("UPDATE stock_levels SET on_hand = 1000000")
    client = await Client.connect(stack.temporal)
    bare = stack.start_worker([sys.executable, "-m", "bench.bare", stack.temporal, BARE_QUEUE])
    intake: list[float] = []
    headers = {"X-API-Key": "demo-ops"}
    async with LeanClient(stack.api, headers, connections=concurrency * 2) as http:
        await drive(concurrency, concurrency, lambda n: one_order(http, n, []))  # warm-up: pools filled
        await drive(concurrency, concurrency, lambda n: bare_order(client))
        found = up_processes(stack.up.pid, (stack.scratch / "data" / "postgres").resolve())
        if stack.profile:  # the worker runs under the sampler, beside `oms up`
            found["worker"] = [psutil.Process(stack.children[0].pid)]
        found["bare worker"] = [psutil.Process(bare.pid)]
        # The driver's own CPU (HTTP clients for the OMS, a Temporal client for the bare run): not the
        # system's, but it takes from the same cores.
        found["driver"] = [psutil.Process(os.getpid())]
        meter = CpuMeter(found)
        await asyncio.sleep(settle)
        meter.start()
        bare_rate = await drive(orders, concurrency, lambda n: bare_order(client))
        await asyncio.sleep(settle)
        bare_cpu = meter.stop()
        spy = Spy(Path(spy_folder), spied(found)) if spy_folder else None
        meter.start()
        oms_rate = await drive(orders, concurrency, lambda n: one_order(http, n, intake))
        await asyncio.sleep(settle)
        oms_cpu = meter.stop()
        if spy:
            spy.stop()
        oms_events = await history_events(client, await one_order(http, 0, []))
    bare_events = await history_events(client, await bare_order(client))
    report(
        orders, concurrency, found, bare_rate, oms_rate, bare_cpu, oms_cpu, intake, oms_events, bare_events
    )


def report(
    orders, concurrency, found, bare_rate, oms_rate, bare_cpu, oms_cpu, intake, oms_events, bare_events
):  # type: ignore[no-untyped-def]
    ms = {role: 1000 * seconds / orders for role, seconds in oms_cpu.items()}
    bare_ms = {role: 1000 * seconds / orders for role, seconds in bare_cpu.items()}
    count = {role: len(processes) for role, processes in found.items()}
    print(f"orders: {orders}, concurrency: {concurrency}, cores: {os.cpu_count()}")
    print(
        f"throughput  OMS {oms_rate:6.1f} orders/s   bare {bare_rate:6.1f} orders/s   ratio {oms_rate / bare_rate:.2f}"
    )
    print("CPU ms per order (processes)     OMS run   bare run")
    for role in (*ROLES, "bare worker", "driver"):
        print(f"  {role:<14} ({count[role]:>2})           {ms[role]:7.1f}   {bare_ms[role]:7.1f}")
    python = ms["api"] + ms["worker"]
    print(
        f"  Python (API + worker)         {python:7.1f}   {bare_ms['bare worker']:7.1f} (bare worker)"
        f"   ratio {python / bare_ms['bare worker']:.1f}"
    )
    print(
        f"  Temporal server               {ms['temporal']:7.1f}   {bare_ms['temporal']:7.1f}"
        f"   ratio {ms['temporal'] / bare_ms['temporal']:.2f}"
    )
    print(
        f"intake under load: p50 {percentile(intake, 0.5) * 1000:.0f} ms, p99 {percentile(intake, 0.99) * 1000:.0f} ms"
    )
    print(f"history events per happy-path order: {oms_events} (bare: {bare_events})")


async def main(arguments: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch), arguments.workers, arguments.api_processes, arguments.profile)
        try:
            await measure(stack, arguments.orders, arguments.concurrency, arguments.spy)
        finally:
            stack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=150)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--api-processes", type=int, default=1)
    parser.add_argument("--profile", help="write the worker's profile (bench.sampler) to this file")
    parser.add_argument("--spy", help="py-spy the API and worker during the OMS run into this folder")
    asyncio.run(main(parser.parse_args()))
