"""Is this process ready to take orders: PostgreSQL answers, Temporal answers, a worker polls the task
queue. And the outage watch: one log line when a server becomes unavailable, one when it is back."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest, GetSystemInfoRequest
from temporalio.client import Client

from adapters.outages import first_line

log = logging.getLogger("oms.health")

CHECK_TIMEOUT = timedelta(seconds=2)
POLLER_SEEN_WITHIN = timedelta(minutes=2)
"""A worker long-polls for up to a minute between visits; one unseen for longer is gone."""
PROBE_INTERVAL = 2.0
NAMES = {"database": "PostgreSQL", "temporal": "Temporal"}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str | None = None


async def _bounded(name: str, probe: Awaitable[str | None], timeout: timedelta) -> Check:
    """Run a probe (returns None when fine, else why not) within `timeout`; any failure is its reason."""
    try:
        reason = await asyncio.wait_for(probe, timeout.total_seconds())
    except TimeoutError:
        reason = f"no answer within {timeout.total_seconds():g} s"
    except Exception as error:
        reason = first_line(error)
    return Check(name, reason is None, reason)


async def database_check(engine: AsyncEngine, timeout: timedelta = CHECK_TIMEOUT) -> Check:
    async def probe() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return await _bounded("database", probe(), timeout)


async def temporal_check(client: Client, timeout: timedelta = CHECK_TIMEOUT) -> Check:
    async def probe() -> None:
        await client.workflow_service.get_system_info(GetSystemInfoRequest(), retry=False, timeout=timeout)

    return await _bounded("temporal", probe(), timeout)


async def worker_check(
    client: Client, task_queue: str, timeout: timedelta = CHECK_TIMEOUT, host: str | None = None
) -> Check:
    """A worker polled the task queue for workflow tasks recently (Temporal's DescribeTaskQueue); with
    `host`, a worker of that host (a poller's identity is `<pid>@<host>` unless set otherwise)."""

    async def probe() -> str | None:
        request = DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
        answer = await client.workflow_service.describe_task_queue(request, retry=False, timeout=timeout)
        since = datetime.now(UTC) - POLLER_SEEN_WITHIN
        pollers = [p for p in answer.pollers if host is None or p.identity.endswith(f"@{host}")]
        if any(poller.last_access_time.ToDatetime(tzinfo=UTC) > since for poller in pollers):
            return None
        minutes = POLLER_SEEN_WITHIN.total_seconds() / 60
        whose = "no worker" if host is None else f"no worker of {host}"
        return f"{whose} polled task queue {task_queue!r} in the last {minutes:g} min"

    return await _bounded("worker", probe(), timeout)


async def readiness(engine: AsyncEngine, client: Client, task_queue: str) -> list[Check]:
    """Every check, run together; the worker's is skipped (reported failing) while Temporal is down."""
    database, temporal = await asyncio.gather(database_check(engine), temporal_check(client))
    if temporal.ok:
        worker = await worker_check(client, task_queue)
    else:
        worker = Check("worker", False, "Temporal is unavailable")
    return [database, temporal, worker]


Probe = Callable[[], Awaitable[Check]]


class OutageWatch:
    """Remembers which servers are down: the first failure logs one line and starts a probe every few
    seconds; the first probe that passes logs one line with how long it lasted and how many requests
    were refused meanwhile."""

    def __init__(self, probes: dict[str, Probe], interval: float = PROBE_INTERVAL) -> None:
        self._probes = probes
        self._interval = interval
        self._down: dict[str, tuple[float, int]] = {}  # dependency -> (since, requests refused)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closing = False

    def is_down(self, dependency: str) -> bool:
        return dependency in self._down

    def down(self, dependency: str, reason: str) -> None:
        """A request found `dependency` unavailable (and was answered 503)."""
        if dependency in self._down:
            since, refused = self._down[dependency]
            self._down[dependency] = (since, refused + 1)
            return
        self._down[dependency] = (time.monotonic(), 1)
        log.warning("%s unavailable (%s): answering 503 until it is back", NAMES[dependency], reason)
        if dependency in self._probes:
            task = asyncio.create_task(self._until_back(dependency))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _until_back(self, dependency: str) -> None:
        while not (await self._probes[dependency]()).ok:
            if self._closing:  # a cancel can be lost in the probe's wait_for (Python 3.11), not this
                return
            await asyncio.sleep(self._interval)
        since, refused = self._down.pop(dependency)
        log.info(
            "%s available again after %.1f s (%d requests answered 503)",
            NAMES[dependency],
            time.monotonic() - since,
            refused,
        )

    async def close(self) -> None:
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
