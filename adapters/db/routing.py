"""The facts routing decides on: stores near a point (or every shipping location), what each can promise
for a basket, and how busy each is. The decision itself is domain.routing's (a pure function)."""

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.stock import store_exists
from adapters.db.tables import stores
from domain.decisions import RoutingCandidate, StoreLoad
from domain.geo import bounding_box
from domain.values import StoreProfile

# Available to promise comes from the `stock_available` view (migration 0008). Load counts the read model:
# orders in preparation now, and orders placed today in the store's own timezone.
_CANDIDATES = text(
    """
WITH picked AS MATERIALIZED (
    SELECT * FROM stores
     WHERE (CAST(:shipping AS boolean) AND (kind = 'warehouse' OR ships))
        OR (NOT CAST(:shipping AS boolean)
            AND latitude BETWEEN :min_lat AND :max_lat AND longitude BETWEEN :min_lon AND :max_lon)
)
SELECT to_jsonb(p.*) AS store,
       COALESCE((SELECT jsonb_object_agg(a.sku, a.available) FROM stock_available a
                  WHERE a.store_id = p.id AND a.sku = ANY(CAST(:skus AS text[]))), '{}'::jsonb) AS available,
       (SELECT count(*) FROM orders o
         WHERE o.store_id = p.id AND o.status IN ('reserved', 'accepted', 'picked')) AS in_preparation,
       (SELECT count(*) FROM orders o
         WHERE o.store_id = p.id
           AND o.created_at >= (date_trunc('day', now() AT TIME ZONE p.timezone) AT TIME ZONE p.timezone))
           AS placed_today
  FROM picked p
 ORDER BY p.id
"""
)


async def candidates(
    conn: AsyncConnection, skus: list[str], *, near: StoreProfile | None, radius_km: float
) -> list[RoutingCandidate]:
    """Pickup stores within `radius_km` of `near`; with `near=None`, every shipping location."""
    shipping = near is None
    box = (
        (-90.0, 90.0, -180.0, 180.0)
        if near is None
        else bounding_box(near.latitude, near.longitude, radius_km)
    )
    rows = await conn.execute(
        _CANDIDATES,
        {
            "shipping": shipping,
            "min_lat": box[0],
            "max_lat": box[1],
            "min_lon": box[2],
            "max_lon": box[3],
            "skus": sorted(set(skus)),
        },
    )
    return [
        RoutingCandidate(
            store=StoreProfile.model_validate(_profile_fields(row.store)),
            available=row.available,
            load=StoreLoad(in_preparation=row.in_preparation, placed_today=row.placed_today),
        )
        for row in rows
    ]


def _profile_fields(store: dict) -> dict:  # type: ignore[type-arg]
    return {key: value for key, value in store.items() if key in StoreProfile.model_fields}


async def set_routing(conn: AsyncConnection, store_id: str, values: dict[str, object]) -> bool:
    """Change a store's routing state or capacity; False when the store does not exist."""
    if not values:
        return await store_exists(conn, store_id)
    result = await conn.execute(update(stores).where(stores.c.id == store_id).values(**values))
    return result.rowcount == 1
