"""A worker killed mid-order loses nothing: orders wait (202), then carry on when a worker returns."""

import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from tests.conftest import placement
from tests.integration.conftest import PAYLOAD_KEYS, _api, eventually, settings_for
from tests.integration.flow import pickup_code, place, step, stock
from tests.integration.test_channels import SECRET, post, shopify_order
from tests.integration.test_stock import new_sku

TASK_QUEUE = "oms-crash-tests"


class WorkerProcess:
    """`oms worker` as its own process, as it runs in production."""

    def __init__(self, client: Client, database_url: str, log: Path) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "OMS_TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "OMS_TASK_QUEUE": TASK_QUEUE,
            "OMS_PAYLOAD_KEYS": json.dumps(PAYLOAD_KEYS),
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "oms", "worker"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def kill(self) -> None:
        assert self.process
        self.process.kill()
        self.process.wait()

    def stop(self) -> int:
        """SIGTERM, as an orchestrator stops it: the worker finishes cleanly."""
        assert self.process
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        if code != 0:
            print(self.log.read_text()[-3000:])  # shown by pytest when the assertion fails
        return code


@pytest.fixture
def worker_process(client: Client, database_url: str, tmp_path: Path) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(client, database_url, tmp_path / "worker.log")
    yield worker
    if worker.process and worker.process.poll() is None:
        worker.process.kill()


@pytest.fixture
async def crash_api(
    client: Client, engine: AsyncEngine, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(client, database_url, TASK_QUEUE)
    settings.intake_wait = timedelta(seconds=2)
    settings.shopify_webhook_secret = SECRET
    settings.update_wait = timedelta(seconds=40)
    async for http in _api(settings, client, engine):
        yield http


async def test_orders_survive_a_killed_worker_and_finish_when_it_returns(
    crash_api: httpx.AsyncClient, worker_process: WorkerProcess
) -> None:
    api = crash_api
    worker_process.start()
    first = placement(lines=[("STOVE-GAS", 1)])
    before = await stock(api, first.store_id, "STOVE-GAS")

    async def placed() -> httpx.Response | None:
        answer = await place(api, first)
        return answer if answer.status_code in (200, 201) else None

    assert (await eventually(placed, timeout=60)).json()["status"] == "reserved"
    assert (await step(api, first, "accept")).status_code == 200

    worker_process.kill()
    second = placement(lines=[("STOVE-GAS", 2)])
    waiting = await place(api, second)
    assert waiting.status_code == 202, waiting.text
    assert waiting.json()["order_id"] == second.order_id
    shown = (await api.get(f"/v1/orders/{second.order_id}")).json()
    assert shown["status"] == "received"

    worker_process.start()

    async def reserved() -> bool:
        return (await api.get(f"/v1/orders/{second.order_id}")).json()["status"] == "reserved"

    await eventually(reserved, timeout=60)
    lines = [{"sku": "STOVE-GAS", "quantity": 1}]
    assert (await step(api, first, "pick", {"lines": lines})).status_code == 200
    assert (await step(api, first, "ready", {"staging_location": "counter"})).status_code == 200
    collected = await step(api, first, "collect", {"pickup_code": await pickup_code(api, first)})
    assert collected.json()["status"] == "collected"

    after = await stock(api, first.store_id, "STOVE-GAS")
    assert after["on_hand"] == before["on_hand"] - 1  # the first order, committed once
    assert after["reserved"] == before["reserved"] + 2  # the second order, reserved once
    assert worker_process.stop() == 0


async def test_a_spike_while_workers_are_down_is_taken_and_drained_when_they_return(
    crash_api: httpx.AsyncClient, worker_process: WorkerProcess, engine: AsyncEngine
) -> None:
    api = crash_api
    sku = await new_sku(engine, on_hand=12, store_id="paris-rivoli")  # its own stock: other tests sell
    line = {"sku": sku, "quantity": 2, "price": "10.00"}
    payloads = [shopify_order(line_items=[line]) for _ in range(6)]
    answers = [await post(api, payload) for payload in payloads]  # no worker is running
    assert [answer.status_code for answer in answers] == [202] * 6
    order_ids = [answer.json()["order_id"] for answer in answers]
    shown = [(await api.get(f"/v1/orders/{order_id}")).json()["status"] for order_id in order_ids]
    assert shown == ["received"] * 6

    worker_process.start()

    async def drained() -> bool:
        statuses = [(await api.get(f"/v1/orders/{order_id}")).json()["status"] for order_id in order_ids]
        return statuses == ["reserved"] * 6

    await eventually(drained, timeout=90)
    assert worker_process.stop() == 0
