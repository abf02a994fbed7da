"""API keys ops create, list, revoke and rotate, and the ring of them the door reads.

A key is `oms_<id>_<secret>`: the id (12 hex digits) names it in lists and logs, the secret is 256 random
bits shown once, at creation; only the SHA-256 digest of the whole key is kept. The door reads the
keys not revoked at most once per `KEY_REFRESH` per process (a request costs no query), so a key
revoked elsewhere is refused within that time, and at once by the process that revoked it."""

import asyncio
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db import api_keys
from adapters.db.stock import store_exists
from domain.access import Grant, Role, key_digest
from services.errors import InvalidField, KeyRevoked, NotFound

log = logging.getLogger("oms.keys")
KEY_REFRESH = timedelta(seconds=5)
"""How stale the door's view of the database keys may be: a revocation holds everywhere within it."""


@dataclass(frozen=True)
class KeyInfo:
    """A key as lists show it: never its secret."""

    id: str
    grant: Grant
    created_at: datetime
    revoked_at: datetime | None
    replaced_by: str | None

    @property
    def prefix(self) -> str:
        return f"oms_{self.id}_"


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: the secret is in `key`, shown this once."""

    info: KeyInfo
    key: str


def _grant(row: dict[str, Any]) -> Grant:
    return Grant(role=Role(row["role"]), store_id=row["store_id"], channel=row["channel"], name=row["name"])


def _info(row: dict[str, Any]) -> KeyInfo:
    return KeyInfo(row["id"], _grant(row), row["created_at"], row["revoked_at"], row["replaced_by"])


async def _checked(conn: AsyncConnection, grant: Grant) -> Grant:
    """A store key names an existing store, a channel key its channel; other roles are bound to neither."""
    if grant.role is Role.STORE:
        if not grant.store_id or not await store_exists(conn, grant.store_id):
            raise InvalidField(("store_id",), f"a store key needs an existing store, not {grant.store_id!r}")
        return grant.model_copy(update={"channel": None})
    if grant.role is Role.CHANNEL:
        if not grant.channel:
            raise InvalidField(("channel",), "a channel key needs its channel")
        return grant.model_copy(update={"store_id": None})
    return grant.model_copy(update={"store_id": None, "channel": None})


async def create_key(conn: AsyncConnection, grant: Grant) -> IssuedKey:
    grant = await _checked(conn, grant)
    key_id = secrets.token_hex(6)
    key = f"oms_{key_id}_{secrets.token_urlsafe(32)}"
    row = await api_keys.add(
        conn,
        {
            "id": key_id,
            "name": grant.name,
            "role": grant.role.value,
            "store_id": grant.store_id,
            "channel": grant.channel,
            "digest": key_digest(key),
        },
    )
    return IssuedKey(_info(row), key)


async def list_keys(conn: AsyncConnection) -> list[KeyInfo]:
    return [_info(row) for row in await api_keys.listed(conn)]


async def revoke_key(conn: AsyncConnection, key_id: str) -> KeyInfo:
    if await api_keys.revoke(conn, key_id) is None:
        raise NotFound("api_key", key_id)
    row = await api_keys.get(conn, key_id)
    assert row is not None
    return _info(row)


async def rotate_key(conn: AsyncConnection, key_id: str) -> IssuedKey:
    """A new key with the same grant; the old one is revoked at once."""
    row = await api_keys.get(conn, key_id, lock=True)
    if row is None:
        raise NotFound("api_key", key_id)
    if row["revoked_at"] is not None:
        raise KeyRevoked(key_id)
    issued = await create_key(conn, _grant(row))
    await api_keys.revoke(conn, key_id, replaced_by=issued.info.id)
    return issued


class KeyRing:
    """The database keys the door accepts, by digest, read again once older than `refresh`."""

    def __init__(self, engine: AsyncEngine, refresh: timedelta = KEY_REFRESH) -> None:
        self._engine = engine
        self._refresh = refresh.total_seconds()
        self._grants: dict[str, Grant] = {}
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def grant(self, digest: str) -> Grant | None:
        if self._stale():
            await self._read()
        return self._grants.get(digest)

    def forget(self) -> None:
        """Read again on the next request (this process just created, revoked or rotated a key)."""
        self._read_at = float("-inf")

    def _stale(self) -> bool:
        return time.monotonic() - self._read_at >= self._refresh

    async def _read(self) -> None:
        async with self._lock:
            if not self._stale():  # another request read them while this one waited
                return
            try:
                async with self._engine.connect() as conn:
                    rows = await api_keys.active(conn)
            except (SQLAlchemyError, OSError) as error:  # keep the keys we had; try again after refresh
                log.warning("cannot read the API keys: %s", str(error).splitlines()[0])
            else:
                self._grants = {row["digest"]: _grant(row) for row in rows}
            self._read_at = time.monotonic()
