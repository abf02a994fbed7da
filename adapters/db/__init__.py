"""PostgreSQL: table definitions, the engine factory and one repository module per concern."""

import json
import weakref
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    connect_timeout: float = 5.0,
    pool_timeout: float = 30.0,
    pre_ping: bool = True,
) -> AsyncEngine:
    """An async engine on psycopg 3; created by entry points, never at import time. A connection attempt
    gives up after `connect_timeout` seconds, a wait for a free pooled one after `pool_timeout`.
    `pre_ping`: each connection taken from the pool is checked first (a round trip), so that one the
    database closed (a restart) is replaced rather than failing the request; the worker goes without,
    its activities being retried anyway (the first failure empties the pool of connections that old)."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=pre_ping,
        pool_timeout=pool_timeout,
        connect_args={"connect_timeout": max(2, round(connect_timeout))},  # libpq's minimum is 2 s
    )


_SINGLE_STATEMENTS: "weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine]" = weakref.WeakKeyDictionary()


def single_statements(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, for work of one statement (a read, an insert, an update): each statement its own
    transaction (autocommit), sparing the BEGIN and the COMMIT or ROLLBACK round trips around it. Never
    for work of two statements or more that must stand or fall together: use `engine.begin()`. Also for
    independent reads, each right on its own (checks before a step). Made once per engine."""
    found = _SINGLE_STATEMENTS.get(engine)
    if found is None:
        found = _SINGLE_STATEMENTS[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return found


async def database_now(conn: AsyncConnection) -> datetime:
    """The database's clock: one clock for holds, ledger entries and feed reviews."""
    now = await conn.scalar(select(func.now()))
    assert now is not None
    return now


def storable(value: Any) -> Any:
    """JSON PostgreSQL's jsonb accepts: NUL characters and lone surrogates (which it refuses) are marked,
    the rest of what a sender sent is kept."""
    text = json.dumps(value, ensure_ascii=False).encode("utf-8", "replace").decode()
    return json.loads(text.replace("\\u0000", "\\ufffd"))
