"""Home delivery when collection fails: where to ship from and which carrier, as pure functions."""

import hashlib
from decimal import Decimal

from domain.decisions import RoutingCandidate
from domain.geo import distance_km
from domain.stock import shortages
from domain.values import CarrierRate, OrderLine, RoutingState, StoreKind, StoreProfile

# The seed's example (a customer in Manchester, shipped from Birmingham) and French equivalents; the
# table is configurable (OMS_CARRIER_RATES).
DEFAULT_RATES = [
    CarrierRate(
        carrier="DPD", service="Next Day", country="GB", days=1, price=Decimal("6.50"), currency="GBP"
    ),
    CarrierRate(
        carrier="Royal Mail",
        service="24 Tracked",
        country="GB",
        days=2,
        price=Decimal("4.95"),
        currency="GBP",
    ),
    CarrierRate(
        carrier="Evri", service="Standard", country="GB", days=3, price=Decimal("3.50"), currency="GBP"
    ),
    CarrierRate(
        carrier="Chronopost", service="13h", country="FR", days=1, price=Decimal("12.90"), currency="EUR"
    ),
    CarrierRate(
        carrier="Colissimo", service="Domicile", country="FR", days=2, price=Decimal("6.90"), currency="EUR"
    ),
    CarrierRate(
        carrier="Mondial Relay",
        service="Domicile",
        country="FR",
        days=4,
        price=Decimal("4.90"),
        currency="EUR",
    ),
    CarrierRate(carrier="UPS", service="Ground", country="US", days=3, price=Decimal("9.80"), currency="USD"),
]


def choose_carrier(rates: list[CarrierRate], country: str, promised_days: int) -> CarrierRate | None:
    """The cheapest service to `country` that meets the promised days; ties go to the faster one.
    None when no service meets it."""
    meeting = [r for r in rates if r.country == country and r.days <= promised_days]
    if not meeting:
        return None
    return min(meeting, key=lambda r: (r.price, r.days, r.carrier, r.service))


def can_ship(store: StoreProfile) -> bool:
    """Warehouses ship; stores ship only when they are set up for it. Neither while closed or frozen."""
    return (store.kind is StoreKind.WAREHOUSE or store.ships) and store.routing is RoutingState.OPEN


def choose_ship_from(
    basket: list[OrderLine], candidates: list[RoutingCandidate], near: StoreProfile | None
) -> StoreProfile | None:
    """The shipping location that has the whole basket, nearest to the store the order was meant for
    (warehouses before stores at the same distance)."""
    eligible = [c for c in candidates if can_ship(c.store) and not shortages(basket, c.available)]

    def rank(c: RoutingCandidate) -> tuple[float, bool, str]:
        distance = (
            distance_km(near.latitude, near.longitude, c.store.latitude, c.store.longitude) if near else 0.0
        )
        return (round(distance, 1), c.store.kind is not StoreKind.WAREHOUSE, c.store.id)

    return min(eligible, key=rank).store if eligible else None


def tracking_number(carrier: str, order_id: str) -> str:
    """A stable tracking reference for the embedded carrier: the same order always gets the same one."""
    digest = hashlib.sha256(f"{carrier}:{order_id}".encode()).hexdigest()[:12].upper()
    return f"{carrier[:3].upper()}{digest}"
