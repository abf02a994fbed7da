"""The door's ring of API keys created by ops: read at most once per refresh, never once per request,
and kept as last read while the database cannot be reached."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from domain.access import Role, key_digest
from services.api_keys import KeyRing

KEY = "oms_0123456789ab_secret"
ROW = {"digest": key_digest(KEY), "role": "store", "store_id": "paris-rivoli", "channel": None, "name": "pos"}


class _Row:
    def __init__(self, mapping: dict[str, Any]) -> None:
        self._mapping = mapping


class _Conn:
    async def execute(self, _: object) -> list[_Row]:
        return [_Row(ROW)]


class FakeEngine:
    def __init__(self) -> None:
        self.reads, self.down = 0, False

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[_Conn]:
        self.reads += 1
        if self.down:
            raise OSError("connection refused")
        yield _Conn()


async def test_the_keys_are_read_once_per_refresh_not_per_request() -> None:
    engine = FakeEngine()
    ring = KeyRing(engine, refresh=timedelta(minutes=1))  # type: ignore[arg-type]
    for _ in range(5):
        grant = await ring.grant(key_digest(KEY))
        assert grant is not None and (grant.role, grant.store_id) == (Role.STORE, "paris-rivoli")
    assert await ring.grant(key_digest("oms_other")) is None
    assert engine.reads == 1
    ring.forget()  # this process created or revoked a key
    await ring.grant(key_digest(KEY))
    assert engine.reads == 2


async def test_while_the_database_is_down_the_keys_last_read_stand() -> None:
    engine = FakeEngine()
    ring = KeyRing(engine, refresh=timedelta(minutes=1))  # type: ignore[arg-type]
    assert await ring.grant(key_digest(KEY)) is not None
    engine.down = True
    ring.forget()
    assert await ring.grant(key_digest(KEY)) is not None
    assert await ring.grant(key_digest(KEY)) is not None
    assert engine.reads == 2  # one failed attempt, then none until the refresh is over
