"""A retail day to play against the system (`oms simulate`): orders on an hourly curve across the stores,
each with its fate (collected, never collected, short-picked, rejected by the store, cancelled, its last
unit sold over the counter) and the delays of the people involved, compressed so a day runs in minutes;
some customers ask for a pickup slot. Pure and seeded: the same seed plays the same day."""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

OPENING, CLOSING = 9, 21  # the stores' day, in hours
HOURLY_CURVE = [2, 3, 5, 8, 7, 4, 3, 4, 6, 8, 7, 3]  # orders per hour from 9:00: lunch and evening peaks


class Fate(StrEnum):
    COLLECTED = "collected"
    NO_SHOW = "no_show"  # ready, never collected: expires at the end of the hold period
    SHORT_PICK = "short_pick"  # the store finds one unit missing
    REJECTED = "rejected"  # the store cannot prepare it
    CANCELLED = "cancelled"  # the customer asks support to cancel
    SOLD_AT_THE_COUNTER = "sold_at_the_counter"  # a POS sale takes a reserved unit while the store picks


FATES: dict[Fate, float] = {
    Fate.COLLECTED: 0.80,
    Fate.NO_SHOW: 0.05,
    Fate.SHORT_PICK: 0.04,
    Fate.REJECTED: 0.03,
    Fate.CANCELLED: 0.04,
    Fate.SOLD_AT_THE_COUNTER: 0.04,
}


class SlotAsk(StrEnum):
    AT_INTAKE = "at_intake"  # the channel sends the slot the customer chose at checkout
    ON_PAGE = "on_page"  # the customer books one on the pickup page once the order is placed


FEED_LATE = 0.5
"""Share of counter sales the store's feed reports after the picker went to the shelf: a short pick.
The others reach the OMS first, which moves the order before picking (or asks the customer)."""

SLOT_ASKS: dict[SlotAsk, float] = {SlotAsk.AT_INTAKE: 0.10, SlotAsk.ON_PAGE: 0.08}


@dataclass(frozen=True)
class DayMix:
    """The share of the day's orders that meets each fate, and that asks for a pickup slot each way."""

    fates: Mapping[Fate, float] = field(default_factory=lambda: dict(FATES))
    slots: Mapping[SlotAsk, float] = field(default_factory=lambda: dict(SLOT_ASKS))

    def slot_ask(self, rng: random.Random) -> SlotAsk | None:
        draw = rng.random()
        for ask, share in self.slots.items():
            if draw < share:
                return ask
            draw -= share
        return None


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
    slot: SlotAsk | None = None
    feed_late: bool = False  # a counter sale reaches the OMS after the picker found the shelf short


def hour_of(rng: random.Random) -> int:
    """An hour of the store's day, drawn along the hourly curve."""
    return rng.choices(range(OPENING, CLOSING), weights=HOURLY_CURVE)[0]


def plan_day(
    seed: int,
    orders: int,
    stores: Sequence[str],
    skus: Sequence[str],
    day_seconds: float,
    mix: DayMix | None = None,
) -> list[PlannedOrder]:
    """`orders` orders over a day compressed to `day_seconds`, in the order they are placed."""
    rng, mix = random.Random(seed), mix or DayMix()
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
                fate=rng.choices(list(mix.fates), weights=list(mix.fates.values()))[0],
                accept_after=step * rng.uniform(1, 5),
                pick_after=step * rng.uniform(3, 12),
                collect_after=step * rng.uniform(10, 90),
                slot=mix.slot_ask(rng),
                feed_late=rng.random() < FEED_LATE,
            )
        )
    return sorted(planned, key=lambda order: order.at)


def counter_sale(on_hand: int, reserved: int) -> int:
    """Units a POS sale takes so the shelf holds one unit fewer than is reserved: every free unit and one
    held for an order (0 when nothing is reserved or the shelf is empty)."""
    if reserved <= 0 or on_hand <= 0:
        return 0
    return max(1, on_hand - reserved + 1)


def first_slot(slots: Sequence[tuple[datetime, int]], now: datetime, lead: timedelta) -> datetime | None:
    """The earliest slot start with a place left, at least `lead` from now (a customer needs time to come)."""
    starts = [start for start, remaining in slots if remaining > 0 and start >= now + lead]
    return min(starts, default=None)
