"""What stores can promise for a basket, and the nearest stores that hold all of it."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import availability
from domain.availability import StoreAvailability
from domain.values import OrderLine
from services.stores import get_store


async def stores_for_basket(
    conn: AsyncConnection,
    basket: list[OrderLine],
    *,
    origin: tuple[float, float] | None,
    near_store: str | None,
    radius_km: float,
    promise: timedelta,
    limit: int,
) -> list[StoreAvailability]:
    """Per store, what it can promise; with a point (or a store to measure from) only stores within the
    radius, whole-basket stores first, nearest first."""
    if near_store:
        store = await get_store(conn, near_store)
        origin = (store.latitude, store.longitude)
    return await availability.near(
        conn, basket, origin=origin, radius_km=radius_km, promise=promise, limit=limit
    )
