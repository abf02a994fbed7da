"""Start-up waits: `oms worker` and `oms api` started before their servers wait for them, with a log line
per attempt, instead of crashing in a loop; SIGTERM while waiting stops them cleanly."""

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from services.health import worker_check
from tests.conftest import free_port
from tests.integration.conftest import PAYLOAD_KEYS, eventually

TASK_QUEUE = "oms-startup-tests"


class Process:
    """`python -m oms <command>` as an orchestrator starts it, its output in a log file."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "oms", command],
                env={**os.environ, "OMS_PAYLOAD_KEYS": json.dumps(PAYLOAD_KEYS), **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        if process.process.poll() is None:
            process.process.kill()


async def test_a_worker_started_before_temporal_waits_and_polls_once_it_comes(
    temporal_cli_path: str, database_url: str, tmp_path: Path, processes: list[Process]
) -> None:
    port = free_port()
    env = {
        "DATABASE_URL": database_url,
        "OMS_TEMPORAL_ADDRESS": f"127.0.0.1:{port}",
        "OMS_TASK_QUEUE": TASK_QUEUE,
    }
    worker = Process("worker", env, tmp_path / "worker.log")
    processes.append(worker)

    async def waiting() -> bool:
        return worker.output().count(f"waiting for Temporal at 127.0.0.1:{port}") >= 2

    await eventually(waiting, timeout=30)
    assert worker.process.poll() is None, worker.output()  # still there, not crashed

    server = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli_path, port=port)
    try:

        async def polling() -> bool:
            return (await worker_check(server.client, TASK_QUEUE)).ok

        await eventually(polling, timeout=45)
        assert "worker polling task queue" in worker.output()
        assert worker.stop() == 0, worker.output()[-3000:]
    finally:
        await server.shutdown()
    assert "Traceback" not in worker.output()


async def test_an_api_started_before_postgresql_waits_and_stops_cleanly_on_sigterm(
    tmp_path: Path, processes: list[Process]
) -> None:
    env = {
        "DATABASE_URL": f"postgresql://oms@127.0.0.1:{free_port()}/oms",
        "OMS_API_PORT": str(free_port()),
    }
    api = Process("api", env, tmp_path / "api.log")
    processes.append(api)

    async def waiting() -> bool:
        return api.output().count("waiting for PostgreSQL at 127.0.0.1") >= 2

    await eventually(waiting, timeout=30)
    assert api.process.poll() is None, api.output()
    assert api.stop() == 0, api.output()[-3000:]
    assert "Traceback" not in api.output()
