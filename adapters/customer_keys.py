"""Per-customer keys for the payload codec: destroying one makes that customer's data in every
workflow history unreadable (erasure by crypto-shredding)."""

import hashlib
import os
import time

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db.tables import customer_keys

CACHE_SECONDS = 60.0


def customer_ref(email: str) -> str:
    """Who a key belongs to, without naming them: a digest of the normalised email."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class Erased(Exception):
    """The customer's data was erased: their key is gone."""


class CustomerKeyStore:
    """Keys in PostgreSQL, cached per process for a minute (an erasure reaches every process within it)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._cache: dict[str, tuple[float, bytes | None]] = {}

    async def key_for(self, ref: str, *, create: bool) -> bytes:
        cached = self._cache.get(ref)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS and (cached[1] is not None or not create):
            key = cached[1]
        else:
            async with self._engine.begin() as conn:
                if create:  # a customer ordering again after an erasure gets a new key
                    statement = insert(customer_keys).values(customer_ref=ref, key=os.urandom(32))
                    await conn.execute(
                        statement.on_conflict_do_update(
                            index_elements=[customer_keys.c.customer_ref],
                            set_={"key": statement.excluded.key, "erased_at": None},
                            where=customer_keys.c.key.is_(None),
                        )
                    )
                row = (
                    await conn.execute(select(customer_keys.c.key).where(customer_keys.c.customer_ref == ref))
                ).first()
            key = row.key if row else None
            self._cache[ref] = (time.monotonic(), key)
        if key is None:
            raise Erased(f"customer {ref[:12]}… was erased")
        return key

    async def destroy(self, ref: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(customer_keys)
                .where(customer_keys.c.customer_ref == ref)
                .values(key=None, erased_at=func.now())
            )
        self._cache[ref] = (time.monotonic(), None)
