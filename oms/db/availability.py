"""What each store can promise for a basket: one query over the basket's rows near a point."""

from sqlalchemy import and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.geo import bounding_box
from domain.models import StoreProfile
from domain.stock import available_to_promise
from oms.db.tables import reservations, stock_levels, stores


async def stores_near(
    conn: AsyncConnection,
    origin: tuple[float, float] | None,
    radius_km: float | None,
    store_ids: list[str] | None,
) -> list[StoreProfile]:
    query = select(stores)
    if origin and radius_km is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(*origin, radius_km)
        query = query.where(
            stores.c.latitude.between(min_lat, max_lat), stores.c.longitude.between(min_lon, max_lon)
        )
    if store_ids is not None:
        query = query.where(stores.c.id.in_(store_ids))
    return [StoreProfile.model_validate(row, from_attributes=True) for row in await conn.execute(query)]


async def available(
    conn: AsyncConnection, store_ids: list[str], skus: list[str]
) -> dict[str, dict[str, int]]:
    """ATP per store and SKU; checkout holds past their expiry count as free (no sweeper needed)."""
    if not store_ids or not skus:
        return {}
    expired = (
        select(func.coalesce(func.sum(reservations.c.quantity), 0))
        .where(
            reservations.c.store_id == stock_levels.c.store_id,
            reservations.c.sku == stock_levels.c.sku,
            reservations.c.state == "active",
            reservations.c.expires_at.is_not(None),
            reservations.c.expires_at <= func.now(),
        )
        .correlate(stock_levels)
        .scalar_subquery()
    )
    rows = await conn.execute(
        select(
            stock_levels.c.store_id,
            stock_levels.c.sku,
            stock_levels.c.on_hand,
            stock_levels.c.reserved,
            stock_levels.c.safety_stock,
            expired.label("expired"),
        ).where(and_(stock_levels.c.sku.in_(skus), stock_levels.c.store_id.in_(store_ids), literal(True)))
    )
    levels: dict[str, dict[str, int]] = {}
    for row in rows:
        atp = available_to_promise(row.on_hand, row.reserved, row.safety_stock, int(row.expired))
        levels.setdefault(row.store_id, {})[row.sku] = atp
    return levels
