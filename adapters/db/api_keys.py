"""API keys created by ops: their grant and the SHA-256 digest of their secret, never the secret."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import api_keys

Row = dict[str, Any]


async def add(conn: AsyncConnection, row: Row) -> Row:
    created = await conn.execute(api_keys.insert().values(**row).returning(api_keys))
    return dict(created.one()._mapping)


async def get(conn: AsyncConnection, key_id: str, *, lock: bool = False) -> Row | None:
    query = select(api_keys).where(api_keys.c.id == key_id)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    return None if row is None else dict(row._mapping)


async def listed(conn: AsyncConnection) -> list[Row]:
    rows = await conn.execute(select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id))
    return [dict(row._mapping) for row in rows]


async def revoke(conn: AsyncConnection, key_id: str, replaced_by: str | None = None) -> datetime | None:
    """Revoke the key (once: a revoked key keeps its first revocation time); None when unknown."""
    row = await conn.execute(
        api_keys.update()
        .where(api_keys.c.id == key_id)
        .values(
            revoked_at=func.coalesce(api_keys.c.revoked_at, func.now()),
            replaced_by=func.coalesce(api_keys.c.replaced_by, replaced_by),
        )
        .returning(api_keys.c.revoked_at)
    )
    return row.scalar_one_or_none()


async def active(conn: AsyncConnection) -> list[Row]:
    """The keys the door accepts: digest and grant of every key not revoked."""
    query = select(api_keys).where(api_keys.c.revoked_at.is_(None))
    return [dict(row._mapping) for row in await conn.execute(query)]
