"""KPIs from the orders' own history: preparation time against the promise, pickup conversion, no-shows,
cancellations, exceptions and routing accuracy. Pure arithmetic over timelines; the stock and message
KPIs are in domain/kpi_stock.py. An order counts in the period (and on the store's day) it was placed."""

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.status import OrderStatus
from domain.values import TimelineEntry

PREPARATION_TARGET_MINUTES = 15.0  # the seeds' target: ready within 15 minutes on average
PICKUP_CONVERSION_TARGET = 0.95
INVENTORY_ACCURACY_TARGET = 0.998


@dataclass(frozen=True)
class ReturnedUnits:
    """Units of one SKU a return brought back, and why."""

    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class OrderHistory:
    """What the KPIs read of one order: where it was first reserved, where it is now, its promise and
    its timeline."""

    order_id: str
    store_id: str
    first_store_id: str
    placed_at: datetime
    ready_by: datetime | None
    timeline: Sequence[TimelineEntry]
    taken_home: Mapping[str, int] = field(default_factory=dict)  # units per SKU, once collected or shipped
    returned: Sequence[ReturnedUnits] = ()  # what came back of it, by any return so far

    def first(self, status: OrderStatus) -> datetime | None:
        """When the order first reached `status`, if it did."""
        return next((entry.at for entry in self.timeline if entry.status is status), None)

    @property
    def final_status(self) -> OrderStatus:
        return self.timeline[-1].status if self.timeline else OrderStatus.RECEIVED


@dataclass(frozen=True)
class Durations:
    """Minutes: how many, the average, the median (p50) and p90, by the nearest-rank method."""

    count: int = 0
    average: float | None = None
    p50: float | None = None
    p90: float | None = None


@dataclass(frozen=True)
class Ratio:
    """`part` of `whole`; no value when there is nothing to divide."""

    part: int = 0
    whole: int = 0

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Tally:
    """How many times one (kind, reason) or (reason, actor) pair happened."""

    key: str
    detail: str
    count: int


@dataclass(frozen=True)
class OrderKpis:
    orders: int = 0
    time_to_ready: Durations = Durations()
    promised: Durations = Durations()  # placed → ready-by: what the store promised
    ready_within_promise: Ratio = Ratio()
    ready_to_collection: Durations = Durations()
    pickup_conversion: Ratio = Ratio()
    expiry_rate: Ratio = Ratio()
    routing_accuracy: Ratio = Ratio()
    cancellations: list[Tally] = field(default_factory=list)
    exceptions: list[Tally] = field(default_factory=list)


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or below."""
    rank = max(1, math.ceil(share * len(sorted_values)))
    return sorted_values[rank - 1]


def durations(minutes: Iterable[float]) -> Durations:
    values = sorted(minutes)
    if not values:
        return Durations()
    average = sum(values) / len(values)
    return Durations(len(values), average, percentile(values, 0.5), percentile(values, 0.9))


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def time_to_ready(histories: Iterable[OrderHistory]) -> Durations:
    """Placed → first ready, for the orders that became ready."""
    return durations(_minutes(h.placed_at, ready) for h in histories if (ready := h.first(OrderStatus.READY)))


def promised(histories: Iterable[OrderHistory]) -> Durations:
    """Placed → ready-by (the promise counted in the store's opening hours), for the orders given one."""
    return durations(_minutes(h.placed_at, h.ready_by) for h in histories if h.ready_by is not None)


def ready_within_promise(histories: Iterable[OrderHistory]) -> Ratio:
    """Of the orders that became ready with a promise, those ready by it."""
    kept = [
        ready <= h.ready_by
        for h in histories
        if h.ready_by is not None and (ready := h.first(OrderStatus.READY)) is not None
    ]
    return Ratio(sum(kept), len(kept))


def ready_to_collection(histories: Iterable[OrderHistory]) -> Durations:
    """First ready → collected, for the orders collected."""
    return durations(
        _minutes(ready, collected)
        for h in histories
        if (ready := h.first(OrderStatus.READY)) and (collected := h.first(OrderStatus.COLLECTED))
    )


def _left_the_shelf(histories: Iterable[OrderHistory]) -> list[OrderHistory]:
    """Orders that became ready and no longer wait for collection (collected, expired or cancelled)."""
    return [
        h
        for h in histories
        if h.first(OrderStatus.READY) is not None and h.final_status is not OrderStatus.READY
    ]


def pickup_conversion(histories: Iterable[OrderHistory]) -> Ratio:
    """Collected / ready, over the ready orders whose fate is known (still waiting ones are left out)."""
    settled = _left_the_shelf(histories)
    return Ratio(sum(h.final_status is OrderStatus.COLLECTED for h in settled), len(settled))


def expiry_rate(histories: Iterable[OrderHistory]) -> Ratio:
    """No-shows: expired / ready, over the same orders as the pickup conversion."""
    settled = _left_the_shelf(histories)
    return Ratio(sum(h.final_status is OrderStatus.EXPIRED for h in settled), len(settled))


def routing_accuracy(histories: Iterable[OrderHistory]) -> Ratio:
    """Of the orders reserved somewhere, those never moved from the first store that reserved them."""
    reserved = [h for h in histories if h.first(OrderStatus.RESERVED) is not None]
    return Ratio(sum(h.store_id == h.first_store_id for h in reserved), len(reserved))


def actor_kind(actor: str) -> str:
    """`support:ana` → `support`: who cancelled, by role rather than by person."""
    return actor.split(":", 1)[0]


def cancellations(histories: Iterable[OrderHistory]) -> list[Tally]:
    """Cancellations by reason and by who cancelled, most frequent first."""
    counted = Counter(
        (entry.reason or "no reason given", actor_kind(entry.actor))
        for h in histories
        for entry in h.timeline
        if entry.status is OrderStatus.CANCELLED
    )
    return _tallies(counted)


_REJECTED = re.compile(r"rejected by .+?: (?P<why>.+)")
_SHORT = re.compile(r"\d+ × \S+ (?P<why>[a-z ]+?)(?:,|$)")
_ROUTING_NOTE = re.compile(r" \([\w.-]+: .*\)$")  # why the new store was chosen, appended to the cause
_SPLIT = re.compile(r"split off to \S+ at \S+ \((?P<why>.*)\)$")


def cause_of(problem: str) -> list[tuple[str, str]]:
    """What raised an exception, read from the reason the order recorded: a store's rejection, a short
    pick (one per line, by its reason), stock at risk or a missed deadline."""
    problem = _ROUTING_NOTE.sub("", problem)
    if rejected := _REJECTED.search(problem):
        return [("reject", rejected["why"])]
    if "short pick: " in problem:
        return [
            ("short_pick", match["why"]) for match in _SHORT.finditer(problem.split("short pick: ", 1)[1])
        ]
    if "stock at risk: " in problem:
        return [("stock_at_risk", "sale or count took reserved stock")]
    if "(SLA breached)" in problem:
        return [("sla_breach", "not accepted in time" if "not accepted" in problem else "not ready in time")]
    return []


def exceptions_in(entry: TimelineEntry) -> list[tuple[str, str]]:
    """The exceptions one timeline entry records: what the OMS did (re-route, ask the customer, split,
    switch to delivery) and what caused it."""
    reason = entry.reason or ""
    if entry.status is OrderStatus.RESERVED and reason.startswith("re-routed from "):
        cause = reason.split(": ", 1)[1] if ": " in reason else ""
        return [("reroute", _head(cause)), *cause_of(cause)]
    if entry.status is OrderStatus.AWAITING_CUSTOMER:
        return [("customer_choice", _head(reason)), *cause_of(reason)]
    if entry.status is OrderStatus.PICKED and (split := _SPLIT.search(reason)):
        return [("split", split["why"] or "lines found elsewhere"), ("short_pick", "lines split off")]
    if entry.status is OrderStatus.IN_DELIVERY:
        return [("switch_to_delivery", "customer chose home delivery")]
    if entry.status is OrderStatus.REJECTED:
        return [("intake_refused", "insufficient stock" if "insufficient stock" in reason else _head(reason))]
    return []


def _head(cause: str) -> str:
    """The kind of a cause, without the order's own details (SKUs, times, names)."""
    found = cause_of(cause)
    return found[0][0] if found else (cause or "unspecified")


def exceptions(histories: Iterable[OrderHistory]) -> list[Tally]:
    """Exceptions by kind and reason, most frequent first."""
    counted = Counter(pair for h in histories for entry in h.timeline for pair in exceptions_in(entry))
    return _tallies(counted)


def _tallies(counted: Counter[tuple[str, str]]) -> list[Tally]:
    return [Tally(key, detail, count) for (key, detail), count in sorted(counted.items(), key=_most_first)]


def _most_first(item: tuple[tuple[str, str], int]) -> tuple[int, str, str]:
    (key, detail), count = item
    return (-count, key, detail)


def order_kpis(histories: Sequence[OrderHistory]) -> OrderKpis:
    """Every order KPI over the orders given (a store's or the network's, a day's or a period's)."""
    return OrderKpis(
        orders=len(histories),
        time_to_ready=time_to_ready(histories),
        promised=promised(histories),
        ready_within_promise=ready_within_promise(histories),
        ready_to_collection=ready_to_collection(histories),
        pickup_conversion=pickup_conversion(histories),
        expiry_rate=expiry_rate(histories),
        routing_accuracy=routing_accuracy(histories),
        cancellations=cancellations(histories),
        exceptions=exceptions(histories),
    )
