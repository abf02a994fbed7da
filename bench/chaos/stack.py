"""The OMS as production runs it, each part a process of its own that an experiment can kill and start
again: PostgreSQL (embedded, its data kept), the Temporal dev server (its SQLite file kept), `oms api` and
`oms worker`."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from bench.common import free_port
from devstack.embedded import EmbeddedPostgres, TemporalDevServer

ROLES = ("worker", "api", "postgres", "temporal")
PAYLOAD_KEYS = {"chaos": "Y2hhb3MtY2hhb3MtY2hhb3MtY2hhb3MtY2hhb3MtMDE="}  # 32 bytes, base64


class Stack:
    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        ports = {name: free_port() for name in ("api", "temporal", "ui", "postgres")}
        self.postgres = EmbeddedPostgres(scratch / "postgres", ports["postgres"])
        self.temporal = TemporalDevServer(scratch / "temporal", ports["temporal"], ports["ui"])
        self.api_url = f"http://127.0.0.1:{ports['api']}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("OMS_") and k != "DATABASE_URL"},
            "DATABASE_URL": self.postgres.url,
            "OMS_TEMPORAL_ADDRESS": self.temporal.address,
            "OMS_API_HOST": "127.0.0.1",
            "OMS_API_PORT": str(ports["api"]),
            "OMS_DATA_DIR": str(scratch / "data"),
            "OMS_DEMO_KEYS": "true",
            "OMS_TRACKING_SECRET": "chaos-tracking-secret-0123456789abcdef",
            "OMS_PAYLOAD_KEYS": json.dumps(PAYLOAD_KEYS),
            "OMS_PAYLOAD_KEY_ID": "chaos",
        }
        self.children: dict[str, subprocess.Popen[bytes] | None] = {"api": None, "worker": None}
        self.down_since: dict[str, float] = {}

    # -- whole stack ------------------------------------------------------------------------------
    def start(self) -> None:
        self.postgres.start()
        self.temporal.start()
        self._oms("migrate", "--demo").check_returncode()
        self.start_role("worker")
        self.start_role("api")
        self.wait_ready(timeout=120)

    def stop(self) -> None:
        for role in ("api", "worker"):
            process = self.children[role]
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.temporal.stop()
        self.postgres.stop()

    # -- one part ---------------------------------------------------------------------------------
    def kill(self, role: str) -> None:
        """SIGKILL, as a crashed machine or an OOM killer does: no clean shutdown."""
        self.down_since[role] = time.monotonic()
        if role in self.children:
            process = self.children[role]
            if process and process.poll() is None:
                for child in psutil.Process(process.pid).children(recursive=True):
                    child.kill()
                process.kill()
                process.wait()
        elif role == "temporal":
            process = self.temporal._process
            assert process is not None
            process.kill()
            process.wait()
        elif role == "postgres":  # the postmaster of this data folder and its backends, nothing else
            for found in psutil.process_iter():
                try:
                    if str(self.postgres.pgdata) not in " ".join(found.cmdline()):
                        continue
                    backends = found.children(recursive=True)
                    found.kill()  # first: a postmaster left alive restarts its backends at once
                except psutil.NoSuchProcess:
                    continue
                for backend in backends:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        backend.kill()

    def start_role(self, role: str) -> None:
        self.down_since.pop(role, None)
        if role == "temporal":
            self.temporal.start()
        elif role == "postgres":
            self.postgres.start()
        else:
            command = ["worker"] if role == "worker" else ["api", "--processes", "1"]
            log = open(self.scratch / f"{role}.log", "ab")  # noqa: SIM115 - lives as long as the process
            self.children[role] = subprocess.Popen(
                [sys.executable, "-m", "oms", *command], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def stop_role(self, role: str) -> None:
        """SIGTERM, as an orchestrator scales a part down."""
        process = self.children[role]
        if process and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)

    # -- readiness --------------------------------------------------------------------------------
    def readiness(self) -> tuple[int | None, dict[str, str]]:
        """What /readyz answers now: its status and each check (None: the API did not answer)."""
        try:
            answer = httpx.get(f"{self.api_url}/readyz", timeout=5)
        except httpx.HTTPError:
            return None, {}
        return answer.status_code, answer.json().get("checks", {})

    def wait_ready(self, timeout: float) -> float:
        """Seconds until /readyz answers 200."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.readiness()[0] == 200:
                return time.monotonic() - started
            time.sleep(0.5)
        raise TimeoutError(f"not ready after {timeout:.0f} s: {self.readiness()}")

    def _oms(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "oms", *args], env=self.env, capture_output=True)
