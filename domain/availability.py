"""Availability near a customer: which stores can serve the whole basket, how far, how soon."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel

from domain.deadlines import ready_by
from domain.geo import distance_km
from domain.stock import shortages
from domain.values import MissingLine, OrderLine, StoreProfile


@dataclass(frozen=True)
class Candidate:
    """A store that might serve the basket: where it is and what it can promise per SKU."""

    store_id: str
    latitude: float
    longitude: float
    available: dict[str, int]


@dataclass(frozen=True)
class Ranked:
    store_id: str
    distance_km: float | None
    missing: list[MissingLine]
    available: dict[str, int]

    @property
    def whole_basket(self) -> bool:
        return not self.missing


class StoreAvailability(BaseModel):
    store: StoreProfile
    distance_km: float | None
    whole_basket: bool
    available: dict[str, int]
    missing: list[MissingLine]
    ready_by: datetime | None


def rank_stores(
    basket: list[OrderLine],
    candidates: list[Candidate],
    *,
    origin: tuple[float, float] | None,
    radius_km: float | None,
    limit: int,
) -> list[Ranked]:
    """Stores within the radius: those that can serve the whole basket first, then nearest first."""
    ranked = []
    for candidate in candidates:
        distance = distance_km(*origin, candidate.latitude, candidate.longitude) if origin else None
        if radius_km is not None and distance is not None and distance > radius_km:
            continue
        ranked.append(
            Ranked(
                store_id=candidate.store_id,
                distance_km=None if distance is None else round(distance, 2),
                missing=shortages(basket, candidate.available),
                available={line.sku: candidate.available.get(line.sku, 0) for line in basket},
            )
        )
    ranked.sort(key=lambda r: (not r.whole_basket, r.distance_km or 0.0, len(r.missing), r.store_id))
    return ranked[:limit]


def _ready_by(store: StoreProfile, now: datetime, promise: timedelta) -> datetime:
    return ready_by(now, promise, store.opening_hours, store.timezone, store.special_days)


def offer(
    ranked: list[Ranked], stores: dict[str, StoreProfile], now: datetime, promise: timedelta
) -> list[StoreAvailability]:
    """What the customer is shown: each store, and for whole-basket stores when the order would be ready
    (the preparation promise counted in the store's opening hours and special days)."""
    return [
        StoreAvailability(
            store=stores[entry.store_id],
            distance_km=entry.distance_km,
            whole_basket=entry.whole_basket,
            available=entry.available,
            missing=entry.missing,
            ready_by=_ready_by(stores[entry.store_id], now, promise) if entry.whole_basket else None,
        )
        for entry in ranked
    ]
