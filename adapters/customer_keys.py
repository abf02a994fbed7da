"""Per-customer keys for the payload codec: destroying one makes that customer's data in every
workflow history unreadable (erasure by crypto-shredding).

Keys are stored wrapped (AES-GCM) by a master key derived from the namespace payload keys, which live
in the environment, not the database: a database backup alone cannot read a customer's history, and
once the master key in use at the time of a backup is retired, nothing can (see docs/security.md)."""

import hashlib
import os
import time
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db.tables import customer_keys

CACHE_SECONDS = 60.0
KEY_BYTES = 32  # a bare AES-256 key, as stored before keys were wrapped
_WRAPPED = b"\x01"  # format marker of a wrapped key: marker, id length, master key id, nonce, ciphertext
_PURPOSE = b"oms customer key wrapping"


def customer_ref(email: str) -> str:
    """Who a key belongs to, without naming them: a digest of the normalised email."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class KeyUnavailable(Exception):
    """A customer's key cannot be had: erased, or wrapped by a master key this process lacks."""


class Erased(KeyUnavailable):
    """The customer's data was erased: their key is gone."""


class MasterKeys:
    """Wraps customer keys with the active master key; unwraps with any configured one. Each master key
    is derived (HKDF) from the namespace payload key of the same id, so it encrypts nothing else."""

    def __init__(self, payload_keys: Mapping[str, bytes], active_key_id: str) -> None:
        if active_key_id not in payload_keys:
            raise ValueError(f"the active payload key {active_key_id!r} is not among the keys")
        self._ciphers = {key_id: AESGCM(_derive(key)) for key_id, key in payload_keys.items()}
        self._active = active_key_id

    def wrap(self, ref: str, key: bytes) -> bytes:
        """The key sealed under the active master key, bound to its customer (`ref`)."""
        key_id, nonce = self._active.encode(), os.urandom(12)
        sealed = self._ciphers[self._active].encrypt(nonce, key, ref.encode())
        return _WRAPPED + bytes([len(key_id)]) + key_id + nonce + sealed

    def unwrap(self, ref: str, stored: bytes) -> bytes:
        """The customer's key from its stored form; a bare key (stored before wrapping) as it is."""
        if len(stored) == KEY_BYTES:
            return stored
        key_id, nonce, sealed = _parts(stored)
        if key_id not in self._ciphers:
            raise KeyUnavailable(f"customer key wrapped by master key {key_id!r}, which is not configured")
        try:
            return self._ciphers[key_id].decrypt(nonce, sealed, ref.encode())
        except InvalidTag:
            raise KeyUnavailable("customer key cannot be unwrapped: tampered or misplaced") from None

    def is_current(self, stored: bytes) -> bool:
        """Wrapped by the active master key (nothing to rewrap)."""
        return len(stored) != KEY_BYTES and _parts(stored)[0] == self._active


def _derive(payload_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(payload_key)


def _parts(stored: bytes) -> tuple[str, bytes, bytes]:
    if stored[:1] != _WRAPPED or len(stored) < 2 + stored[1] + 12:
        raise KeyUnavailable("customer key in an unknown format")
    end = 2 + stored[1]
    return stored[2:end].decode(), stored[end : end + 12], stored[end + 12 :]


class CustomerKeyStore:
    """Keys in PostgreSQL, wrapped by `master` (without one, as they are: only when payloads are not
    encrypted at all), cached per process for a minute (an erasure reaches every process within it)."""

    def __init__(self, engine: AsyncEngine, master: MasterKeys | None = None) -> None:
        self._engine = engine
        self._master = master
        self._cache: dict[str, tuple[float, bytes | None]] = {}

    async def key_for(self, ref: str, *, create: bool) -> bytes:
        cached = self._cache.get(ref)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS and (cached[1] is not None or not create):
            key = cached[1]
        else:
            async with self._engine.begin() as conn:
                if create:  # a customer ordering again after an erasure gets a new key
                    await self._create(conn, ref)
                key = await self._read(conn, ref)
            self._cache[ref] = (time.monotonic(), key)
        if key is None:
            raise Erased(f"customer {ref[:12]}… was erased")
        return key

    async def _create(self, conn: AsyncConnection, ref: str) -> None:
        statement = insert(customer_keys).values(customer_ref=ref, key=self._seal(ref, os.urandom(KEY_BYTES)))
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[customer_keys.c.customer_ref],
                set_={"key": statement.excluded.key, "erased_at": None},
                where=customer_keys.c.key.is_(None),
            )
        )

    async def _read(self, conn: AsyncConnection, ref: str) -> bytes | None:
        """The customer's key, its row rewrapped under the active master key when it is not yet."""
        stored = await conn.scalar(select(customer_keys.c.key).where(customer_keys.c.customer_ref == ref))
        if stored is None or self._master is None:
            return stored
        key = self._master.unwrap(ref, stored)
        if not self._master.is_current(stored):
            await self._rewrap(conn, ref, stored, key)
        return key

    async def _rewrap(self, conn: AsyncConnection, ref: str, stored: bytes, key: bytes) -> None:
        # Only the row as read: an erasure that came in between keeps its NULL, never a revived key.
        await conn.execute(
            update(customer_keys)
            .where(customer_keys.c.customer_ref == ref, customer_keys.c.key == stored)
            .values(key=self._seal(ref, key))
        )

    def _seal(self, ref: str, key: bytes) -> bytes:
        return self._master.wrap(ref, key) if self._master else key

    async def rewrap_all(self, batch: int = 500) -> int:
        """Rewrap every key not under the active master key (bare ones included); the count rewrapped.
        Run after rotating the master key, before retiring the old one."""
        if self._master is None:
            return 0
        done, after = 0, ""
        while True:
            async with self._engine.begin() as conn:
                rows = (
                    await conn.execute(
                        select(customer_keys.c.customer_ref, customer_keys.c.key)
                        .where(customer_keys.c.key.is_not(None), customer_keys.c.customer_ref > after)
                        .order_by(customer_keys.c.customer_ref)
                        .limit(batch)
                    )
                ).all()
                for ref, stored in rows:
                    if not self._master.is_current(stored):
                        try:
                            key = self._master.unwrap(ref, stored)
                        except KeyUnavailable:  # under a master key already retired: unreadable anyway
                            continue
                        await self._rewrap(conn, ref, stored, key)
                        done += 1
            if len(rows) < batch:
                return done
            after = rows[-1].customer_ref

    async def destroy(self, ref: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(customer_keys)
                .where(customer_keys.c.customer_ref == ref)
                .values(key=None, erased_at=func.now())
            )
        self._cache[ref] = (time.monotonic(), None)
