"""Stock rules: ATP, feed events, counts taken in the past, shortfalls and replenishment."""

from datetime import UTC, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from domain.availability import Candidate, offer, rank_stores
from domain.geo import bounding_box, distance_km
from domain.stock import (
    MAX_ON_HAND,
    EventRefused,
    FeedWindow,
    InventoryEvent,
    StockLevel,
    available_to_promise,
    check_on_hand,
    holders_at_risk,
    on_hand_change,
)
from domain.values import OpeningHours, OrderLine, StoreProfile

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _event(type_: str, quantity: int) -> InventoryEvent:
    return InventoryEvent(
        event_id="e-1", store_id="s", sku="x", type=type_, quantity=quantity, occurred_at=AT
    )


def test_available_to_promise_keeps_safety_stock_and_frees_expired_holds() -> None:
    assert available_to_promise(on_hand=10, reserved=3, safety_stock=2) == 5
    assert available_to_promise(on_hand=10, reserved=3, safety_stock=2, expired_holds=3) == 8
    assert available_to_promise(on_hand=2, reserved=3, safety_stock=2) == 0
    level = StockLevel(store_id="s", sku="x", on_hand=4, reserved=6, safety_stock=1)
    assert (level.available, level.short_by) == (0, 2)


def test_relative_events_move_on_hand_but_never_below_zero() -> None:
    assert on_hand_change(_event("sale", 2), on_hand=5, moved_since=0, later_count=False) == -2
    assert on_hand_change(_event("sale", 9), on_hand=5, moved_since=0, later_count=False) == -5
    assert on_hand_change(_event("receipt", 4), on_hand=5, moved_since=0, later_count=False) == 4
    assert on_hand_change(_event("return", 1), on_hand=0, moved_since=0, later_count=False) == 1
    assert on_hand_change(_event("adjustment", -3), on_hand=5, moved_since=0, later_count=False) == -3


def test_count_is_absolute_as_of_when_it_was_taken() -> None:
    # counted 10 at 08:00; since then 3 were sold and 5 received: on hand must be 12, whatever it shows now
    assert on_hand_change(_event("count", 10), on_hand=7, moved_since=2, later_count=False) == 12 - 7
    # a count older than one already applied changes nothing
    assert on_hand_change(_event("count", 10), on_hand=7, moved_since=2, later_count=True) == 0
    assert on_hand_change(_event("count", 0), on_hand=7, moved_since=-3, later_count=False) == -7


@pytest.mark.parametrize(
    ("type_", "quantity", "message"),
    [
        ("sale", 0, "positive"),
        ("receipt", -1, "positive"),
        ("adjustment", 0, "must change"),
        ("count", -1, "negative"),
    ],
)
def test_events_that_make_no_sense_are_refused(type_: str, quantity: int, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _event(type_, quantity)
    with pytest.raises(ValidationError, match="timezone"):
        InventoryEvent(
            event_id="e", store_id="s", sku="x", type="sale", quantity=1, occurred_at=datetime(2026, 1, 1)
        )


def test_a_shortfall_hits_the_newest_reservations_first() -> None:
    newest_first = [("order-c", 1), ("order-b", 2), ("order-a", 5)]
    assert holders_at_risk(1, newest_first) == ["order-c"]
    assert holders_at_risk(2, newest_first) == ["order-c", "order-b"]
    assert holders_at_risk(4, newest_first) == ["order-c", "order-b", "order-a"]
    assert holders_at_risk(0, newest_first) == []


def test_replenishment_is_needed_when_free_stock_reaches_the_safety_stock() -> None:
    assert StockLevel(store_id="s", sku="x", on_hand=5, reserved=3, safety_stock=2).needs_replenishment
    assert not StockLevel(store_id="s", sku="x", on_hand=6, reserved=3, safety_stock=2).needs_replenishment
    assert not StockLevel(store_id="s", sku="x", on_hand=0, reserved=0, safety_stock=0).needs_replenishment


def test_distances_and_bounding_box() -> None:
    paris, lyon = (48.8606, 2.3429), (45.7609, 4.8566)
    assert 385 < distance_km(*paris, *lyon) < 395
    min_lat, max_lat, min_lon, max_lon = bounding_box(*paris, 50)
    assert min_lat < paris[0] < max_lat and min_lon < paris[1] < max_lon
    assert max_lat - min_lat == pytest.approx(100 / 111, rel=1e-3)


def test_whole_basket_stores_come_first_nearest_first_and_partial_ones_say_what_is_missing() -> None:
    basket = [OrderLine(sku="A", quantity=2, unit_price=0), OrderLine(sku="B", quantity=1, unit_price=0)]
    candidates = [
        Candidate("near-partial", 48.86, 2.35, {"A": 5}),
        Candidate("far-whole", 48.90, 2.50, {"A": 2, "B": 3}),
        Candidate("mid-whole", 48.87, 2.40, {"A": 9, "B": 1}),
        Candidate("out-of-range", 45.76, 4.85, {"A": 9, "B": 9}),
    ]
    ranked = rank_stores(basket, candidates, origin=(48.8606, 2.3429), radius_km=50, limit=10)
    assert [entry.store_id for entry in ranked] == ["mid-whole", "far-whole", "near-partial"]
    assert ranked[2].missing[0].model_dump() == {"sku": "B", "requested": 1, "available": 0}
    assert ranked[0].distance_km is not None and ranked[1].distance_km is not None
    assert ranked[0].distance_km < ranked[1].distance_km
    assert [
        entry.store_id for entry in rank_stores(basket, candidates, origin=None, radius_km=None, limit=2)
    ] == [
        "far-whole",
        "mid-whole",
    ]


def test_ready_by_is_offered_for_whole_basket_stores_only() -> None:
    hours = [OpeningHours(weekday=d, opens=time(9), closes=time(19)) for d in range(7)]
    profiles = {
        store_id: StoreProfile(
            id=store_id,
            name=store_id,
            city="x",
            address="x",
            latitude=0,
            longitude=0,
            timezone="UTC",
            opening_hours=hours,
        )
        for store_id in ("whole", "partial")
    }
    basket = [OrderLine(sku="A", quantity=1, unit_price=0)]
    ranked = rank_stores(
        basket,
        [Candidate("whole", 0, 0, {"A": 1}), Candidate("partial", 0, 0, {})],
        origin=None,
        radius_km=None,
        limit=5,
    )
    offered = offer(ranked, profiles, AT, timedelta(hours=2))
    assert [(o.store.id, o.ready_by) for o in offered] == [
        ("whole", AT + timedelta(hours=2)),
        ("partial", None),
    ]


def test_feed_events_dated_beyond_the_window_are_refused_naming_the_window() -> None:
    window = FeedWindow(ahead=timedelta(minutes=15), behind=timedelta(days=30))
    window.check(AT + timedelta(minutes=15), AT)
    window.check(AT - timedelta(days=30), AT)
    with pytest.raises(EventRefused, match="^occurred_at: more than 15 minutes ahead"):
        window.check(datetime(9999, 12, 31, tzinfo=UTC), AT)
    with pytest.raises(EventRefused, match="^occurred_at: more than 30 days in the past"):
        window.check(datetime(1, 1, 1, tzinfo=UTC), AT)


def test_stock_never_grows_beyond_what_a_row_holds_but_an_over_full_row_still_sells() -> None:
    check_on_hand(MAX_ON_HAND - 10, 10)
    check_on_hand(MAX_ON_HAND + 5, -1)
    with pytest.raises(EventRefused, match="^quantity: on hand would become"):
        check_on_hand(MAX_ON_HAND - 10, 11)
