"""What each store can promise for a basket: one query over the stores near a point and the basket's rows.
Only pickup stores open for orders are offered (no warehouse, no store closed or frozen for routing)."""

import json
from datetime import timedelta

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.availability import Candidate, StoreAvailability, offer, rank_stores
from domain.geo import bounding_box
from domain.values import OrderLine, StoreProfile

# Available to promise comes from the `stock_available` view (migration 0008): the rule written once.
_BASKET_NEAR = text(
    """
WITH near AS MATERIALIZED (
    SELECT * FROM stores
     WHERE latitude BETWEEN :min_lat AND :max_lat AND longitude BETWEEN :min_lon AND :max_lon
       AND kind = 'store' AND routing = 'open'  -- pickup locations taking orders
)
SELECT n.id, n.name, n.city, n.address, n.latitude, n.longitude, n.timezone, n.email,
       n.opening_hours::text AS opening_hours, n.special_days::text AS special_days,
       array_remove(array_agg(a.sku), NULL) AS skus,
       array_remove(array_agg(a.available), NULL) AS available,
       now() AS checked_at
  FROM near n
  LEFT JOIN stock_available a ON a.store_id = n.id AND a.sku = ANY(CAST(:skus AS text[]))
 GROUP BY n.id, n.name, n.city, n.address, n.latitude, n.longitude, n.timezone, n.email,
          n.opening_hours::text, n.special_days::text
"""
)
_EVERYWHERE = (-90.0, 90.0, -180.0, 180.0)


async def near(
    conn: AsyncConnection,
    basket: list[OrderLine],
    *,
    origin: tuple[float, float] | None,
    radius_km: float | None,
    promise: timedelta,
    limit: int,
) -> list[StoreAvailability]:
    """The stores to offer for a basket: within the radius, whole basket first, nearest first.
    Without an origin, every store (no distance)."""
    radius = radius_km if origin else None
    box = bounding_box(*origin, radius) if origin and radius is not None else _EVERYWHERE
    rows = (
        await conn.execute(
            _BASKET_NEAR,
            {
                "min_lat": box[0],
                "max_lat": box[1],
                "min_lon": box[2],
                "max_lon": box[3],
                "skus": [line.sku for line in basket],
            },
        )
    ).all()
    if not rows:
        return []
    located = {row.id: row for row in rows}
    candidates = [
        Candidate(
            store_id=row.id,
            latitude=row.latitude,
            longitude=row.longitude,
            available=dict(zip(row.skus, row.available, strict=True)),
        )
        for row in rows
    ]
    ranked = rank_stores(basket, candidates, origin=origin, radius_km=radius, limit=limit)
    profiles = {entry.store_id: _profile(located[entry.store_id]) for entry in ranked}
    return offer(ranked, profiles, rows[0].checked_at, promise)


def _profile(row: Row) -> StoreProfile:
    """Opening hours come as text and are decoded only for the stores offered."""
    return StoreProfile(
        id=row.id,
        name=row.name,
        city=row.city,
        address=row.address,
        latitude=row.latitude,
        longitude=row.longitude,
        timezone=row.timezone,
        email=row.email,
        opening_hours=json.loads(row.opening_hours),
        special_days=json.loads(row.special_days),
    )
