"""The pickup page's pure parts: the customer's four steps, the week's hours with today in the store's
timezone, a plain map link, the link messages carry, and the per-order action limit."""

from datetime import UTC, datetime

from api.web.throttle import ActionLimit
from domain.status import OrderStatus
from services.pickup_page import map_link, page_url, progress_step, week_hours
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
