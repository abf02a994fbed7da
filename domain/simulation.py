"""A retail day to play against the system (`oms simulate`): orders on an hourly curve across the stores,
each with its fate (collected, never collected, short-picked, rejected by the store, cancelled) and the
delays of the people involved, compressed so a day runs in minutes. Pure and seeded: the same seed
plays the same day."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

OPENING, CLOSING = 9, 21  # the stores' day, in hours
HOURLY_CURVE = [2, 3, 5, 8, 7, 4, 3, 4, 6, 8, 7, 3]  # orders per hour from 9:00: lunch and evening peaks


class Fate(StrEnum):
    COLLECTED = "collected"
    NO_SHOW = "no_show"  # ready, never collected: expires at the end of the hold period
    SHORT_PICK = "short_pick"  # the store finds one unit missing
    REJECTED = "rejected"  # the store cannot prepare it
    CANCELLED = "cancelled"  # the customer asks support to cancel


FATES: dict[Fate, float] = {
    Fate.COLLECTED: 0.84,
    Fate.NO_SHOW: 0.05,
    Fate.SHORT_PICK: 0.04,
    Fate.REJECTED: 0.03,
    Fate.CANCELLED: 0.04,
}


@dataclass(frozen=True)
class PlannedOrder:
    number: int
    at: float  # seconds into the compressed day
    store_id: str
    lines: tuple[tuple[str, int], ...]
    fate: Fate
    accept_after: float  # seconds the store takes to accept, then to pick, then to stage
    pick_after: float
    collect_after: float  # seconds from ready to the customer at the counter


def hour_of(rng: random.Random) -> int:
    """An hour of the store's day, drawn along the hourly curve."""
    return rng.choices(range(OPENING, CLOSING), weights=HOURLY_CURVE)[0]


def plan_day(
    seed: int, orders: int, stores: Sequence[str], skus: Sequence[str], day_seconds: float
) -> list[PlannedOrder]:
    """`orders` orders over a day compressed to `day_seconds`, in the order they are placed."""
    rng = random.Random(seed)
    hour_length = day_seconds / (CLOSING - OPENING)
    step = hour_length / 60  # one compressed minute
    planned = []
    for number in range(orders):
        at = (hour_of(rng) - OPENING + rng.random()) * hour_length
        basket = rng.sample(list(skus), k=rng.choice([1, 1, 2, 3]))
        planned.append(
            PlannedOrder(
                number=number,
                at=at,
                store_id=rng.choice(list(stores)),
                lines=tuple((sku, 1) for sku in sorted(basket)),
                fate=rng.choices(list(FATES), weights=list(FATES.values()))[0],
                accept_after=step * rng.uniform(1, 5),
                pick_after=step * rng.uniform(3, 12),
                collect_after=step * rng.uniform(10, 90),
            )
        )
    return sorted(planned, key=lambda order: order.at)
