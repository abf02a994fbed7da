"""Orders in any status, at stores around Paris, on a clock the test moves: for the aggregate's tests."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from domain.decisions import RoutingCandidate
from domain.order import Order
from domain.order_state import OrderState
from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import OpeningHours, StoreProfile, TimelineEntry
from tests.conftest import placement

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Paris
ALWAYS_OPEN = [OpeningHours(weekday=day, opens=time(0), closes=time(23, 59)) for day in range(7)]


def store(store_id: str, lat: float = 48.8606, lon: float = 2.3429, **extra: Any) -> StoreProfile:
    return StoreProfile(
        id=store_id,
        name=store_id,
        city="Paris",
        address="1 rue de Rivoli",
        latitude=lat,
        longitude=lon,
        timezone="Europe/Paris",
        **{"opening_hours": ALWAYS_OPEN, **extra},
    )


RIVOLI = store("paris-rivoli")
BASTILLE = store("paris-bastille", 48.8532, 2.3691)  # 2 km
DEFENSE = store("la-defense", 48.8918, 2.2380)  # 8 km


def candidate(profile: StoreProfile, **available: int) -> RoutingCandidate:
    return RoutingCandidate(
        store=profile, available={sku.replace("_", "-"): n for sku, n in available.items()}
    )


class Clock:
    """The workflow's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = AT

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


class Changes:
    """Counts the changes ops would be shown (the workflow publishes on each)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def an_order(
    status: OrderStatus = OrderStatus.RESERVED,
    *,
    lines: list[tuple[str, int]] | None = None,
    policy: OrderPolicy | None = None,
    routing_enabled: bool = True,
    clock: Clock | None = None,
    changes: Changes | None = None,
    **state: Any,
) -> Order:
    """An order at Rivoli in `status` (a tent and a stove by default, 10.00 each)."""
    placed = placement("A-1", lines=lines or [("TENT-2P", 1), ("STOVE-GAS", 1)])
    fields: dict[str, Any] = {"store": RIVOLI, "origin": RIVOLI, **state}
    order = Order(
        OrderState(
            order_id=placed.order_id,
            placement=placed,
            status=status,
            timeline=[TimelineEntry(at=AT, status=status, actor="test")],
            **fields,
        ),
        policy or OrderPolicy(),
        clock=clock or Clock(),
        on_change=changes or Changes(),
    )
    order.routing_enabled = routing_enabled
    return order
