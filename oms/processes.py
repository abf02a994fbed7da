"""`oms up` as separate processes: the API and the worker each run in their own (more of each with
`--api-processes` / `--workers`), so every core works; a signal stops the API first, then the workers
(their in-flight tasks finish), and only then the servers they use."""

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from config.settings import Settings

log = logging.getLogger("oms")
STOP_WAIT = 30.0  # seconds a child has to stop after SIGTERM before it is killed


def cores() -> int:
    """The cores this process may run on (its CPU affinity), not the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_counts(available: int) -> tuple[int, int]:
    """(API processes, worker processes) for this many cores: half each, at least one of each."""
    half = max(1, available // 2)
    return half, half


def child_environment(settings: Settings) -> dict[str, str]:
    """What `oms api` and `oms worker` need to read the same settings as `oms up` decided them."""
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url or settings.embedded_database_url(),
        "OMS_TEMPORAL_ADDRESS": settings.temporal_address,
        "OMS_DATA_DIR": str(settings.data_dir),
        "OMS_API_HOST": settings.api_host,
        "OMS_API_PORT": str(settings.api_port),
        "OMS_TEMPORAL_UI_PORT": str(settings.temporal_ui_port),
        "OMS_DEMO_KEYS": "true" if settings.demo_keys else "false",
        "OMS_TRACKING_SECRET": settings.tracking_secret or "",
        "OMS_PAYLOAD_KEYS": json.dumps(settings.payload_keys),
        "OMS_PAYLOAD_KEY_ID": settings.payload_key_id or "",
    }


@dataclass
class Children:
    """The API and worker processes of `oms up`; stopped API first, each by its own pid."""

    env: dict[str, str]
    api: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, api_processes: int, workers: int) -> None:
        oms = [sys.executable, "-m", "oms"]
        for _ in range(workers):
            self.workers.append(subprocess.Popen([*oms, "worker"], env=self.env))
        self.api.append(subprocess.Popen([*oms, "api", "--processes", str(api_processes)], env=self.env))
        log.info(
            "started %d API process(es) (pid %s) and %d worker(s) (pids %s)",
            api_processes,
            self.api[0].pid,
            workers,
            ", ".join(str(p.pid) for p in self.workers),
        )

    def exited(self) -> subprocess.Popen[bytes] | None:
        return next((p for p in [*self.api, *self.workers] if p.poll() is not None), None)

    def stop(self) -> None:
        for group in (self.api, self.workers):
            for process in group:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in group:
                try:
                    process.wait(timeout=STOP_WAIT)
                except subprocess.TimeoutExpired:
                    log.warning("pid %d did not stop within %.0f s: killed", process.pid, STOP_WAIT)
                    process.kill()
                    process.wait()


def stop_on_signals() -> threading.Event:
    """An event SIGINT and SIGTERM set from now on, instead of ending the process mid-way."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def supervise(children: Children, stop: threading.Event) -> int:
    """Wait for `stop` (or a child that exits on its own), then stop every child; the exit code is 0
    when asked to stop, 1 when a child died first."""
    died = None
    while not stop.wait(0.5):
        died = children.exited()
        if died is not None:
            log.error("pid %d exited with code %s: stopping everything", died.pid, died.returncode)
            break
    children.stop()
    return 0 if died is None else 1
