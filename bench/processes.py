"""The processes a benchmark measures, found from `oms up`'s pid, and the CPU seconds they spent."""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

ROLES = ("api", "worker", "temporal", "postgres")


def role_of(process: psutil.Process, pgdata: Path) -> str | None:
    """What a process of `oms up` is: the API (its uvicorn children too), a worker, Temporal, PostgreSQL."""
    try:
        line = " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    if "oms api" in line or "multiprocessing.spawn" in line:
        return "api"
    if "oms worker" in line:
        return "worker"
    if "temporal server start-dev" in line:
        return "temporal"
    if str(pgdata) in line or line.startswith("postgres:"):
        return "postgres"
    return None


def up_processes(up_pid: int, pgdata: Path) -> dict[str, list[psutil.Process]]:
    """`oms up`'s children by role, and PostgreSQL (daemonised by pg_ctl: found by its data folder)."""
    found: dict[str, list[psutil.Process]] = {role: [] for role in ROLES}
    for child in psutil.Process(up_pid).children(recursive=True):
        if (role := role_of(child, pgdata)) and role != "postgres":
            found[role].append(child)
    for process in psutil.process_iter():
        if role_of(process, pgdata) == "postgres" and str(pgdata) in " ".join(process.cmdline()):
            found["postgres"] += [process, *process.children()]
    return found


def cpu_seconds(processes: Iterable[psutil.Process]) -> float:
    """User + system CPU seconds of these processes (those gone since count as nothing)."""
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@dataclass
class CpuMeter:
    """CPU seconds per role between `start()` and `stop()`."""

    processes: dict[str, list[psutil.Process]]

    def start(self) -> None:
        self._before = {role: cpu_seconds(found) for role, found in self.processes.items()}

    def stop(self) -> dict[str, float]:
        return {role: cpu_seconds(found) - self._before[role] for role, found in self.processes.items()}
