"""A KPI report: the same KPIs for the network, for each store and for each day of a period. A day is
the store's own calendar day (its timezone); the network's day is the sum of its stores' days."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.kpi_returns import ReturnKpis, return_kpis
from domain.kpi_stock import FeedEvent, Message, StockCount, StockKpis, stock_kpis
from domain.kpis import Durations, OrderHistory, OrderKpis, Ratio, order_kpis

K = TypeVar("K", str, date)


@dataclass(frozen=True)
class History:
    """Everything that happened in a period: orders placed, counts taken, feed events, messages."""

    orders: list[OrderHistory] = field(default_factory=list)
    counts: list[StockCount] = field(default_factory=list)
    events: list[FeedEvent] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


@dataclass(frozen=True)
class KpiSet:
    orders: OrderKpis
    stock: StockKpis
    returns: ReturnKpis = ReturnKpis()


@dataclass(frozen=True)
class KpiReport:
    start: datetime
    end: datetime
    store_id: str | None  # None: the whole network
    total: KpiSet
    stores: dict[str, KpiSet]
    days: dict[date, KpiSet]


def kpi_set(history: History) -> KpiSet:
    return KpiSet(
        order_kpis(history.orders),
        stock_kpis(history.counts, history.events, history.messages),
        return_kpis(history.orders),
    )


def _split(history: History, key: Callable[[str, datetime], K]) -> dict[K, History]:
    parts: dict[K, History] = {}

    def part(store_id: str, at: datetime) -> History:
        return parts.setdefault(key(store_id, at), History())

    for order in history.orders:
        part(order.store_id, order.placed_at).orders.append(order)
    for count in history.counts:
        part(count.store_id, count.at).counts.append(count)
    for event in history.events:
        part(event.store_id, event.occurred_at).events.append(event)
    for message in history.messages:
        part(message.store_id, message.at).messages.append(message)
    ordered: list[tuple[Any, History]] = sorted(parts.items())
    return dict(ordered)


def by_store(history: History) -> dict[str, History]:
    return _split(history, lambda store_id, _at: store_id)


def store_day(at: datetime, timezone: str | None) -> date:
    """The store's calendar day of a moment: its date in the store's timezone (UTC when unknown)."""
    return at.astimezone(_zone(timezone)).date()


def _zone(timezone: str | None) -> tzinfo:
    try:
        return ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):  # a store whose timezone no longer exists
        return UTC


def day_span(first: date, last: date, timezone: str | None) -> tuple[datetime, datetime]:
    """A store's days `first` to `last` (included) as moments: from its midnight opening `first` to the
    one closing `last`, in its timezone (a day of the clock change is 23 or 25 hours)."""
    zone = _zone(timezone)
    return datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)


def on_store_days(history: History, first: date, last: date, timezones: Mapping[str, str]) -> History:
    """What happened on each store's own days `first` to `last`: its Monday is its Monday, whatever
    the hour in UTC."""

    def kept(store_id: str, at: datetime) -> bool:
        return first <= store_day(at, timezones.get(store_id)) <= last

    return History(
        orders=[o for o in history.orders if kept(o.store_id, o.placed_at)],
        counts=[c for c in history.counts if kept(c.store_id, c.at)],
        events=[e for e in history.events if kept(e.store_id, e.occurred_at)],
        messages=[m for m in history.messages if kept(m.store_id, m.at)],
    )


def by_day(history: History, timezones: Mapping[str, str] | None = None) -> dict[date, History]:
    """By the store's day each thing happened, in its timezone (`timezones`: store id -> IANA name; UTC
    for a store not in it): an order on the day it was placed. A network day is its stores' days: an
    order placed at 00:30 in Paris counts on that day, though it is still the day before in UTC."""
    zones = timezones or {}
    return _split(history, lambda store_id, at: store_day(at, zones.get(store_id)))


def kpi_report(
    history: History,
    start: datetime,
    end: datetime,
    store_id: str | None,
    timezones: Mapping[str, str] | None = None,
) -> KpiReport:
    return KpiReport(
        start=start,
        end=end,
        store_id=store_id,
        total=kpi_set(history),
        stores={store: kpi_set(part) for store, part in by_store(history).items()},
        days={day: kpi_set(part) for day, part in by_day(history, timezones).items()},
    )


def _durations(name: str, kpi: Durations) -> dict[str, float | int | None]:
    return {
        f"{name}_count": kpi.count,
        f"{name}_avg_min": kpi.average,
        f"{name}_p50_min": kpi.p50,
        f"{name}_p90_min": kpi.p90,
    }


def _ratio(name: str, kpi: Ratio) -> dict[str, float | int | None]:
    return {name: kpi.value, f"{name}_part": kpi.part, f"{name}_whole": kpi.whole}


def figures(kpis: KpiSet) -> dict[str, float | int | None]:
    """Every single-number KPI of a set by its name (the JSON fields, the CSV rows, the dashboard's)."""
    o, s = kpis.orders, kpis.stock
    named: dict[str, float | int | None] = {"orders": o.orders}
    named |= _durations("time_to_ready", o.time_to_ready) | _durations("promised", o.promised)
    named |= _ratio("ready_within_promise", o.ready_within_promise)
    named |= _durations("ready_to_collection", o.ready_to_collection)
    named |= _ratio("pickup_conversion", o.pickup_conversion) | _ratio("expiry_rate", o.expiry_rate)
    named |= _ratio("routing_accuracy", o.routing_accuracy)
    named |= _ratio("return_rate", kpis.returns.return_rate)
    named |= _ratio("orders_returned", kpis.returns.orders_returned)
    named |= _ratio("inventory_accuracy", s.inventory_accuracy) | {"inventory_units_off": s.units_off}
    named |= _durations("sync_lag", s.sync_lag)
    for channel, rate in (s.delivery or {}).items():
        named |= _ratio(f"delivery_rate_{channel}", rate)
    return named
