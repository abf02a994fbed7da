"""`oms up` runs the API and the worker in processes of their own: on a fresh data folder it serves
/readyz ready with a polling worker, and SIGTERM stops every child, then the servers, with exit 0."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port

READY_WITHIN = 150.0  # seconds: initdb, migrations and the dev server on a busy 2-core machine


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def _ready(url: str) -> dict[str, object] | None:
    try:
        answer = httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None
    return answer.json() if answer.status_code == 200 else None  # type: ignore[no-any-return]


def test_oms_up_serves_ready_with_separate_api_and_worker_processes_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    api_port = free_port()
    ports = ["--api-port", str(api_port), "--temporal-port", str(free_port())]
    ports += ["--temporal-ui-port", str(free_port()), "--postgres-port", str(free_port())]
    log = tmp_path / "up.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_") and k != "DATABASE_URL"}
    with open(log, "wb") as out:
        up = subprocess.Popen(
            [sys.executable, "-m", "oms", "up", "--data-dir", str(tmp_path / "data"), *ports]
            + ["--workers", "2", "--api-processes", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + READY_WITHIN
        ready = None
        while ready is None and time.monotonic() < deadline and up.poll() is None:
            time.sleep(1)
            ready = _ready(f"http://127.0.0.1:{api_port}/readyz")
        assert ready == {
            "status": "ready",
            "checks": {"database": "ok", "temporal": "ok", "worker": "ok"},
        }, log.read_text()[-3000:]
        started = re.search(
            r"started 2 API process\(es\) \(pid (\d+)\) and 2 worker\(s\) \(pids (\d+), (\d+)\)",
            log.read_text(),
        )
        assert started, log.read_text()[-3000:]
        children = [int(pid) for pid in started.groups()]
        assert up.pid not in children and all(_alive(pid) for pid in children)

        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=90) == 0, log.read_text()[-3000:]
        assert not any(_alive(pid) for pid in children)
        assert "Traceback" not in log.read_text()
        assert _ready(f"http://127.0.0.1:{api_port}/readyz") is None
    finally:
        if up.poll() is None:
            up.kill()
