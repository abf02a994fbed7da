"""Ready-by promises count opening time in the store's timezone; holds and reminders follow readiness."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.deadlines import pickup_deadline, ready_by, reminder_at
from domain.values import OpeningHours

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_19 = [
    OpeningHours(weekday=d, opens=time(9), closes=time(19)) for d in range(6)
]  # closed Sunday
TWO_HOURS = timedelta(hours=2)


def test_order_placed_while_open_is_ready_two_hours_later() -> None:
    placed = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)  # Monday
    assert ready_by(placed, TWO_HOURS, WEEKDAYS_9_TO_19, "Europe/Paris") == placed + TWO_HOURS


def test_order_placed_at_night_is_ready_two_hours_after_opening() -> None:
    placed = datetime(2026, 11, 23, 23, 30, tzinfo=PARIS)
    assert ready_by(placed, TWO_HOURS, WEEKDAYS_9_TO_19, "Europe/Paris") == datetime(
        2026, 11, 24, 11, 0, tzinfo=PARIS
    )


def test_promise_carries_over_closing_time_into_the_next_opening() -> None:
    placed = datetime(2026, 11, 23, 18, 0, tzinfo=PARIS)  # one hour before closing
    assert ready_by(placed, TWO_HOURS, WEEKDAYS_9_TO_19, "Europe/Paris") == datetime(
        2026, 11, 24, 10, 0, tzinfo=PARIS
    )


def test_closed_sunday_is_skipped() -> None:
    placed = datetime(2026, 11, 28, 18, 30, tzinfo=PARIS)  # Saturday, 30 min before closing
    assert ready_by(placed, TWO_HOURS, WEEKDAYS_9_TO_19, "Europe/Paris") == datetime(
        2026, 11, 30, 10, 30, tzinfo=PARIS
    )


def test_store_hours_are_read_in_the_store_timezone_whatever_the_input_zone() -> None:
    placed_utc = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 08:00 in New York, before opening
    due = ready_by(placed_utc, TWO_HOURS, WEEKDAYS_9_TO_19, "America/New_York")
    assert due == datetime(2026, 11, 23, 11, 0, tzinfo=NEW_YORK)
    assert due.tzinfo == UTC


def test_daylight_saving_change_keeps_local_opening_time() -> None:
    # Europe/Paris leaves summer time on Sunday 25 October 2026; the Monday opens at 09:00 local (08:00 UTC).
    placed = datetime(2026, 10, 24, 20, 0, tzinfo=PARIS)
    assert ready_by(placed, TWO_HOURS, WEEKDAYS_9_TO_19, "Europe/Paris") == datetime(
        2026, 10, 26, 11, 0, tzinfo=PARIS
    )


def test_store_without_hours_counts_plain_time() -> None:
    placed = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert ready_by(placed, TWO_HOURS, [], "Europe/Paris") == placed + TWO_HOURS


def test_hold_period_and_reminder_follow_readiness() -> None:
    ready = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    deadline = pickup_deadline(ready, timedelta(hours=72))
    assert deadline == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert reminder_at(ready, timedelta(hours=24), deadline) == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_no_reminder_when_it_would_come_at_or_after_expiry() -> None:
    ready = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    deadline = pickup_deadline(ready, timedelta(hours=24))
    assert reminder_at(ready, timedelta(hours=24), deadline) is None


def test_a_tracking_link_works_while_the_order_runs_and_for_the_grace_period_after_it_ends() -> None:
    from domain.deadlines import tracking_link_expiry
    from domain.status import OrderStatus
    from domain.values import TimelineEntry

    placed = datetime(2026, 11, 2, 10, tzinfo=UTC)
    ended = placed + timedelta(days=1)
    timeline = [
        TimelineEntry(at=placed, status=OrderStatus.RECEIVED, actor="channel"),
        TimelineEntry(at=ended, status=OrderStatus.CANCELLED, actor="support"),
    ]
    grace = timedelta(days=30)
    assert tracking_link_expiry(OrderStatus.RECEIVED, timeline[:1], grace) is None
    assert tracking_link_expiry(OrderStatus.CANCELLED, timeline, grace) == (ended, ended + grace)
