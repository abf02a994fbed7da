"""Every KPI on a hand-made history: a few orders whose timelines say what happened to them."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from api.web.pages.dashboard import _period
from domain.kpi_report import History, by_day, day_span, kpi_report, on_store_days, store_day
from domain.kpi_stock import (
    FeedEvent,
    Message,
    StockCount,
    delivery_rate,
    inventory_accuracy,
    sync_lag,
    units_off,
)
from domain.kpis import (
    OrderHistory,
    cancellations,
    cause_of,
    durations,
    expiry_rate,
    order_kpis,
    percentile,
    pickup_conversion,
    promised,
    ready_to_collection,
    ready_within_promise,
    routing_accuracy,
    time_to_ready,
)
from domain.kpis import exceptions as exceptions_of
from domain.status import OrderStatus as S
from domain.values import TimelineEntry

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def order(
    order_id: str,
    steps: list[tuple[float, S, str, str | None]],
    *,
    ready_by: float | None = 20,
    store: str = "paris",
    first_store: str | None = None,
) -> OrderHistory:
    timeline = [TimelineEntry(at=at(m), status=s, actor=actor, reason=why) for m, s, actor, why in steps]
    return OrderHistory(
        order_id=order_id,
        store_id=store,
        first_store_id=first_store or store,
        placed_at=timeline[0].at,
        ready_by=None if ready_by is None else at(ready_by),
        timeline=timeline,
    )


PLACED = (0.0, S.RECEIVED, "channel:web", None)
RESERVED = (0.0, S.RESERVED, "system", None)

collected_fast = order(
    "o1",
    [
        PLACED,
        RESERVED,
        (2, S.ACCEPTED, "store:a", None),
        (10, S.READY, "store:a", "staged at A"),
        (70, S.COLLECTED, "store:a", None),
    ],
)
collected_late = order(
    "o2",
    [
        PLACED,
        RESERVED,
        (5, S.ACCEPTED, "store:a", None),
        (30, S.READY, "store:a", None),
        (150, S.COLLECTED, "store:a", None),
    ],
)
expired = order("o3", [PLACED, RESERVED, (20, S.READY, "store:a", None), (2900, S.EXPIRED, "system", None)])
waiting = order("o4", [PLACED, RESERVED, (12, S.READY, "store:a", None)], ready_by=None)
rerouted_then_cancelled = order(
    "o5",
    [
        PLACED,
        RESERVED,
        (3, S.RESERVED, "store:a", "re-routed from paris to lyon: rejected by store:a: till broken"),
        (
            9,
            S.RESERVED,
            "system",
            "re-routed from lyon to nice: short pick: 1 × TENT not found, 2 × LAMP damaged",
        ),
        (15, S.CANCELLED, "support:ana", "customer asked"),
    ],
    store="nice",
    first_store="paris",
)
refused = order("o6", [PLACED, (0, S.REJECTED, "system", "insufficient stock: TENT (0 of 1)")], ready_by=None)
HISTORY = [collected_fast, collected_late, expired, waiting, rerouted_then_cancelled, refused]


def test_percentiles_take_the_nearest_rank():
    assert percentile([1, 2, 3, 4], 0.5) == 2
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert durations([]).count == 0 and durations([]).average is None


def test_time_to_ready_counts_from_placement_to_first_ready():
    kpi = time_to_ready(HISTORY)
    assert (kpi.count, kpi.average, kpi.p50, kpi.p90) == (4, 18.0, 12, 30)


def test_the_promise_is_placement_to_ready_by():
    assert promised(HISTORY).average == 20 and promised(HISTORY).count == 4  # o1, o2, o3, o5


def test_ready_within_promise_is_the_share_ready_by_their_ready_by():
    assert ready_within_promise(HISTORY).part == 2 and ready_within_promise(HISTORY).whole == 3


def test_ready_to_collection_for_collected_orders_only():
    kpi = ready_to_collection(HISTORY)
    assert (kpi.count, kpi.average) == (2, 90.0)


def test_pickup_conversion_leaves_out_orders_still_waiting():
    conversion = pickup_conversion(HISTORY)
    assert (conversion.part, conversion.whole) == (2, 3)
    assert round(conversion.value or 0, 3) == 0.667


def test_expiry_rate_is_no_shows_over_the_same_ready_orders():
    assert (expiry_rate(HISTORY).part, expiry_rate(HISTORY).whole) == (1, 3)


def test_routing_accuracy_counts_orders_kept_at_their_first_store():
    kept = routing_accuracy(HISTORY)
    assert (kept.part, kept.whole) == (4, 5)  # the refused order was never reserved


def test_cancellations_by_reason_and_actor_role():
    assert [(t.key, t.detail, t.count) for t in cancellations(HISTORY)] == [("customer asked", "support", 1)]


def test_exceptions_by_kind_and_reason():
    found = {(t.key, t.detail): t.count for t in exceptions_of(HISTORY)}
    assert found == {
        ("reroute", "reject"): 1,
        ("reject", "till broken"): 1,
        ("reroute", "short_pick"): 1,
        ("short_pick", "not found"): 1,
        ("short_pick", "damaged"): 1,
        ("intake_refused", "insufficient stock"): 1,
    }


def test_splits_deadlines_choices_and_delivery_switches_are_exceptions():
    history = order(
        "o7",
        [
            PLACED,
            RESERVED,
            (40, S.AWAITING_CUSTOMER, "system", "not ready by 09:20 (SLA breached)"),
            (45, S.PICKED, "system", "1 × TENT split off to o7-2 at lyon (closest with stock)"),
            (50, S.AWAITING_CUSTOMER, "system", "stock at risk: TENT short by 1 at paris"),
            (55, S.IN_DELIVERY, "customer", "home delivery to 75001 Paris"),
        ],
    )
    found = {(t.key, t.detail) for t in exceptions_of([history])}
    assert found == {
        ("customer_choice", "sla_breach"),
        ("sla_breach", "not ready in time"),
        ("split", "closest with stock"),
        ("short_pick", "lines split off"),
        ("customer_choice", "stock_at_risk"),
        ("stock_at_risk", "sale or count took reserved stock"),
        ("switch_to_delivery", "customer chose home delivery"),
    }
    assert cause_of("not accepted by 09:05 (SLA breached)") == [("sla_breach", "not accepted in time")]
    chosen = "rejected by store:paris: till broken (paris-la-defense: lowest score 8.42 (8.4 km, load 0%))"
    assert cause_of(chosen) == [("reject", "till broken")]


def test_order_kpis_and_days():
    kpis = order_kpis(HISTORY)
    assert kpis.orders == 6 and kpis.time_to_ready.average == 18.0
    tomorrow = order("o8", [(24 * 60, S.RECEIVED, "channel:web", None)], store="lyon")
    history = History(orders=[tomorrow, *HISTORY], counts=[StockCount("lyon", 3, 0, at(24 * 60))])
    assert list(by_day(history)) == [date(2026, 11, 23), date(2026, 11, 24)]
    report = kpi_report(history, T0, at(48 * 60), None)
    assert report.total.orders.orders == 7 and set(report.stores) == {"paris", "nice", "lyon"}
    assert report.stores["lyon"].stock.inventory_accuracy.value == 1.0
    assert report.days[date(2026, 11, 24)].orders.orders == 1


def test_inventory_accuracy_compares_counts_with_the_ledger():
    counts = [StockCount("paris", 10, 0, T0), StockCount("paris", 7, -2, T0), StockCount("lyon", 5, 0, T0)]
    assert (inventory_accuracy(counts).part, inventory_accuracy(counts).whole) == (2, 3)
    assert counts[1].expected == 9 and units_off(counts) == 2


def test_sync_lag_runs_from_event_time_to_applied():
    events = [
        FeedEvent("paris", at(0), at(1)),
        FeedEvent("paris", at(0), at(5)),
        FeedEvent("lyon", at(3), at(2)),
    ]
    lag = sync_lag(events)
    assert (lag.count, lag.p50, lag.p90) == (3, 1, 5)  # a clock ahead of ours counts as no lag


def test_delivery_rate_by_channel_leaves_out_suppressed_messages():
    messages = [
        Message("paris", T0, "sms", "sent", "delivered"),
        Message("paris", T0, "sms", "sent", "undelivered"),
        Message("paris", T0, "sms", "suppressed"),
        Message("paris", T0, "email", "sent", None),
        Message("paris", T0, "email", "failed"),
        Message("paris", T0, "email", "sending"),
    ]
    rates = delivery_rate(messages)
    assert {channel: (r.part, r.whole) for channel, r in rates.items()} == {"email": (1, 3), "sms": (1, 2)}


PARIS_NYC = {"paris": "Europe/Paris", "nyc": "America/New_York"}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def placed(order_id: str, when: datetime, store: str) -> OrderHistory:
    return OrderHistory(
        order_id, store, store, when, None, [TimelineEntry(at=when, status=S.RECEIVED, actor="c")]
    )


def test_a_day_is_the_stores_own_day_around_midnight_not_the_utc_day():
    late = utc(2026, 11, 23, 23, 30)  # 00:30 on the 24th in Paris, 18:30 on the 23rd in New York
    assert store_day(late, "Europe/Paris") == date(2026, 11, 24)
    assert store_day(late, "America/New_York") == date(2026, 11, 23)
    assert store_day(utc(2026, 11, 24, 4, 59), "America/New_York") == date(2026, 11, 23)  # 23:59 there
    assert store_day(utc(2026, 11, 24, 5, 0), "America/New_York") == date(2026, 11, 24)
    assert store_day(late, None) == store_day(late, "Nowhere/Atlantis") == date(2026, 11, 23)  # UTC


LATE = utc(2026, 11, 23, 23, 30)  # 00:30 on the 24th in Paris, 18:30 on the 23rd in New York


def test_the_network_day_is_the_sum_of_its_stores_days():
    history = History(
        orders=[
            placed("p1", utc(2026, 11, 23, 23, 30), "paris"),
            placed("n1", utc(2026, 11, 23, 23, 30), "nyc"),
        ],
        counts=[StockCount("paris", 3, 0, utc(2026, 11, 23, 23, 5))],  # 00:05 in Paris
        events=[FeedEvent("nyc", utc(2026, 11, 24, 3, 0), utc(2026, 11, 24, 3, 1))],  # 22:00 in New York
        messages=[Message("paris", utc(2026, 11, 23, 22, 59), "sms", "sent")],  # 23:59 in Paris
    )
    days = by_day(history, PARIS_NYC)
    assert [o.order_id for o in days[date(2026, 11, 24)].orders] == ["p1"]
    assert [o.order_id for o in days[date(2026, 11, 23)].orders] == ["n1"]
    assert len(days[date(2026, 11, 24)].counts) == 1 and len(days[date(2026, 11, 23)].events) == 1
    assert len(days[date(2026, 11, 23)].messages) == 1
    report = kpi_report(history, utc(2026, 11, 23), utc(2026, 11, 25), None, PARIS_NYC)
    assert {day: kpis.orders.orders for day, kpis in report.days.items()} == {
        date(2026, 11, 23): 1,
        date(2026, 11, 24): 1,
    }
    assert list(by_day(history)) == [date(2026, 11, 23), date(2026, 11, 24)]  # no timezones: UTC days
    assert len(by_day(history)[date(2026, 11, 23)].orders) == 2


def test_the_store_day_follows_daylight_saving_time_both_ways():
    paris = "Europe/Paris"
    # 25 October 2026 has 25 hours in Paris: from 22:00 UTC the day before (CEST) to 23:00 UTC (CET)
    assert store_day(utc(2026, 10, 24, 21, 59), paris) == date(2026, 10, 24)
    assert store_day(utc(2026, 10, 24, 22, 0), paris) == date(2026, 10, 25)
    assert store_day(utc(2026, 10, 25, 22, 59), paris) == date(2026, 10, 25)
    assert store_day(utc(2026, 10, 25, 23, 0), paris) == date(2026, 10, 26)
    # 29 March 2026 has 23 hours: from 23:00 UTC the day before (CET) to 22:00 UTC (CEST)
    assert store_day(utc(2026, 3, 28, 22, 59), paris) == date(2026, 3, 28)
    assert store_day(utc(2026, 3, 28, 23, 0), paris) == date(2026, 3, 29)
    assert store_day(utc(2026, 3, 29, 21, 59), paris) == date(2026, 3, 29)
    assert store_day(utc(2026, 3, 29, 22, 0), paris) == date(2026, 3, 30)
    long_day = [placed(f"o{h}", utc(2026, 10, 24, 22) + timedelta(hours=h), "paris") for h in range(26)]
    days = by_day(History(orders=long_day), PARIS_NYC)
    assert {day: len(part.orders) for day, part in days.items()} == {
        date(2026, 10, 25): 25,
        date(2026, 10, 26): 1,
    }


def test_a_stores_days_run_from_its_midnight_to_its_midnight():
    paris = "Europe/Paris"
    monday = day_span(date(2026, 11, 23), date(2026, 11, 23), paris)
    assert monday == (utc(2026, 11, 22, 23), utc(2026, 11, 23, 23))
    long_day = day_span(date(2026, 10, 25), date(2026, 10, 25), paris)
    assert long_day == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))  # 25 hours
    short_day = day_span(date(2026, 3, 29), date(2026, 3, 29), paris)
    assert short_day == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))  # 23 hours
    week = day_span(date(2026, 11, 16), date(2026, 11, 22), "America/New_York")
    assert week == (utc(2026, 11, 16, 5), utc(2026, 11, 23, 5))
    assert day_span(date(2026, 11, 23), date(2026, 11, 23), None) == (utc(2026, 11, 23), utc(2026, 11, 24))


def test_whole_days_keep_what_happened_on_each_stores_own_days():
    history = History(
        orders=[placed("p1", LATE, "paris"), placed("n1", LATE, "nyc")],
        counts=[StockCount("paris", 3, 0, utc(2026, 11, 23, 22, 59))],  # 23:59 on the 23rd in Paris
        events=[FeedEvent("nyc", utc(2026, 11, 24, 4, 0), utc(2026, 11, 24, 4, 0))],  # 23:00 on the 23rd
    )
    the_24th = on_store_days(history, date(2026, 11, 24), date(2026, 11, 24), PARIS_NYC)
    assert [o.order_id for o in the_24th.orders] == ["p1"] and not the_24th.counts and not the_24th.events
    the_23rd = on_store_days(history, date(2026, 11, 23), date(2026, 11, 23), PARIS_NYC)
    assert [o.order_id for o in the_23rd.orders] == ["n1"]
    assert len(the_23rd.counts) == 1 and len(the_23rd.events) == 1


def test_the_dashboards_default_week_ends_on_today_in_the_store_furthest_ahead() -> None:
    """A KPI day is the store's own: UTC's date would leave out the day a store east of UTC has begun."""
    start, end = _period(None, None, ["Europe/Paris", "Pacific/Kiritimati"])  # UTC+14
    assert end == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert end - start == timedelta(days=6)
    assert _period(None, None, [])[1] == datetime.now(UTC).date()
