"""Start-up waits: a worker or API started before PostgreSQL or Temporal retries, with backoff and one log
line per attempt, until they come (or it is told to stop). Only settings that can never work end it."""

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from adapters.outages import first_line
from adapters.temporal import connect
from config.settings import ConfigurationError, Settings

log = logging.getLogger("oms.startup")

FIRST_DELAY = 0.5
MAX_DELAY = 10.0
REFUSED_FOR_GOOD = ("28", "3D000")
"""Invalid authorization (wrong user or password), no such database: waiting will not fix them."""

T = TypeVar("T")


class NotYet(Exception):
    """The server is not there yet; `str()` says why, for the log line."""


async def wait_for(
    what: str, attempt: Callable[[], Awaitable[T]], stop: asyncio.Event | None = None
) -> T | None:
    """Call `attempt` until it succeeds (its result) or `stop` is set (None), logging each failure."""
    delay, number = FIRST_DELAY, 1
    while True:
        try:
            result = await attempt()
        except NotYet as not_yet:
            log.warning("waiting for %s (attempt %d): %s; next try in %.1f s", what, number, not_yet, delay)
        else:
            if number > 1:
                log.info("%s is available (attempt %d)", what, number)
            return result
        stop = stop or asyncio.Event()
        try:
            await asyncio.wait_for(stop.wait(), delay)
            return None
        except TimeoutError:
            delay, number = min(delay * 2, MAX_DELAY), number + 1


async def wait_for_database(engine: AsyncEngine, stop: asyncio.Event | None = None) -> bool:
    """PostgreSQL answers a query; False when stopped first."""

    async def attempt() -> bool:
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except exc.DBAPIError as error:
            sqlstate = getattr(error.orig, "sqlstate", None) or ""
            if sqlstate.startswith(REFUSED_FOR_GOOD):
                raise ConfigurationError([("DATABASE_URL", first_line(error))]) from None
            raise NotYet(first_line(error)) from None
        return True

    return bool(await wait_for(f"PostgreSQL at {_host(engine)}", attempt, stop))


async def wait_for_temporal(
    settings: Settings, engine: AsyncEngine | None = None, stop: asyncio.Event | None = None
) -> Client | None:
    """A client connected to Temporal whose namespace exists; None when stopped first."""

    async def attempt() -> Client:
        try:
            client = await connect(settings, engine)
            namespace = DescribeNamespaceRequest(namespace=settings.temporal_namespace)
            await client.workflow_service.describe_namespace(namespace, retry=False)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise NotYet(f"namespace {settings.temporal_namespace!r} does not exist (yet)") from None
            raise NotYet(first_line(error)) from None
        except RuntimeError as error:  # the SDK's "Failed client connect: ..."
            raise NotYet(first_line(error)) from None
        return client

    where = f"Temporal at {settings.temporal_address} (namespace {settings.temporal_namespace})"
    return await wait_for(where, attempt, stop)


def _host(engine: AsyncEngine) -> str:
    url = engine.url
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


@contextmanager
def startup_frozen() -> Iterator[None]:
    """What startup built (modules, routes, settings, pools, the worker's activities) lives as long as the
    process: it is kept out of the garbage collector's full collections, which otherwise walk all of it
    while a request or a task waits (~90 ms each in the API: the tail of a 200-order queue page,
    docs/performance.md)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
