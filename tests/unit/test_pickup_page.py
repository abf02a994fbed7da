"""The pickup page's pure parts: the customer's four steps, the week's hours with today in the store's
timezone, a plain map link, the link messages carry, and the per-order action limit."""

from datetime import UTC, date, datetime, time

from api.web.throttle import ActionLimit
from domain.status import OrderStatus
from domain.store_calendar import DayHours, SpecialDay
from services.pickup_page import Span, changed_days, map_link, page_url, progress_step, week_hours
from services.tracking import tracking_token
from tests.unit.order_builders import RIVOLI


def test_the_customer_sees_four_steps_and_none_once_the_order_left_them() -> None:
    assert [progress_step(s) for s in (OrderStatus.RECEIVED, OrderStatus.PICKED, OrderStatus.READY)] == [
        0,
        1,
        2,
    ]
    assert progress_step(OrderStatus.AWAITING_CUSTOMER) == 1
    assert progress_step(OrderStatus.COLLECTED) == 3
    assert progress_step(OrderStatus.CANCELLED) is None


def test_today_is_the_stores_day_not_the_servers() -> None:
    sunday_night_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Monday 00:30 in Paris
    week = week_hours(RIVOLI, sunday_night_utc)
    assert [day.weekday for day in week if day.today] == [0]
    assert len(week) == 7 and all(day.hours for day in week)


def test_the_map_is_a_plain_link_and_messages_link_the_page_only_with_a_secret() -> None:
    assert map_link(RIVOLI).startswith("https://www.openstreetmap.org/?mlat=48.86060&mlon=2.34290")
    assert page_url(None, "https://shop.example", "order-a") is None
    token = tracking_token("s", "order-a")
    assert page_url("s", "https://shop.example/", "order-a") == f"https://shop.example/track/order-a/{token}"


def test_each_order_gets_a_limited_number_of_actions_per_window() -> None:
    now = [0.0]
    limit = ActionLimit(limit=3, window=60, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("b")  # another order has its own share
    now[0] = 61
    assert limit.allow("a")


def test_today_shows_its_special_hours_and_the_closures_ahead_are_listed() -> None:
    late = SpecialDay(
        date=date(2026, 11, 23), hours=[DayHours(opens=time(14), closes=time(20))], note="training"
    )
    closed = SpecialDay(date=date(2026, 11, 25), note="stock count")
    far = SpecialDay(date=date(2027, 1, 1), note="New Year's Day")
    store = RIVOLI.model_copy(update={"special_days": [far, closed, late]})
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    today = next(day for day in week_hours(store, monday) if day.today)
    assert today.hours == [Span(time(14), time(20))] and today.note == "training"
    tuesday = next(day for day in week_hours(store, monday) if day.weekday == 1)
    assert tuesday.note is None and tuesday.hours == [Span(time(0), time(23, 59))]
    changed = changed_days(store, monday)
    assert [(c.day, c.hours, c.note) for c in changed] == [
        (date(2026, 11, 23), [Span(time(14), time(20))], "training"),
        (date(2026, 11, 25), [], "stock count"),
    ]  # New Year's Day is more than two weeks away
