"""Availability near a customer: which stores can serve the whole basket, how far, how soon."""

from datetime import datetime, timedelta

from pydantic import BaseModel

from domain.deadlines import ready_by
from domain.geo import distance_km
from domain.models import MissingLine, OrderLine, StoreProfile
from domain.stock import shortages


class StoreAvailability(BaseModel):
    store: StoreProfile
    distance_km: float | None
    whole_basket: bool
    available: dict[str, int]
    missing: list[MissingLine]
    ready_by: datetime | None


def rank_stores(
    basket: list[OrderLine],
    stores: list[StoreProfile],
    available: dict[str, dict[str, int]],
    *,
    origin: tuple[float, float] | None,
    radius_km: float | None,
    now: datetime,
    promise: timedelta,
    limit: int,
) -> list[StoreAvailability]:
    """Stores within the radius, those that can serve the whole basket first, nearest first; ready-by
    is the preparation promise counted in each store's opening hours."""
    ranked = []
    for store in stores:
        distance = distance_km(*origin, store.latitude, store.longitude) if origin else None
        if radius_km is not None and distance is not None and distance > radius_km:
            continue
        levels = available.get(store.id, {})
        missing = shortages(basket, levels)
        ranked.append(
            StoreAvailability(
                store=store,
                distance_km=None if distance is None else round(distance, 2),
                whole_basket=not missing,
                available={line.sku: levels.get(line.sku, 0) for line in basket},
                missing=missing,
                ready_by=None,
            )
        )
    ranked.sort(key=lambda s: (not s.whole_basket, s.distance_km or 0.0, len(s.missing), s.store.id))
    chosen = ranked[:limit]
    for entry in chosen:
        if entry.whole_basket:
            entry.ready_by = ready_by(now, promise, entry.store.opening_hours, entry.store.timezone)
    return chosen
