"""Reminder cadence and quiet hours in the store's timezone, daylight saving included."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.notifications import NotificationKind
from domain.policy import OrderPolicy
from domain.reminders import after_quiet_hours, collection_messages, in_quiet_hours, urgent_message_time

PARIS, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")
NIGHT = (time(21), time(8))
REMINDER, WARNING = NotificationKind.PICKUP_REMINDER, NotificationKind.EXPIRY_WARNING


def test_quiet_hours_wrap_midnight_in_local_time() -> None:
    assert in_quiet_hours(datetime(2026, 11, 23, 21, 0, tzinfo=PARIS), "Europe/Paris", *NIGHT)
    assert in_quiet_hours(datetime(2026, 11, 24, 7, 59, tzinfo=PARIS), "Europe/Paris", *NIGHT)
    assert not in_quiet_hours(datetime(2026, 11, 24, 8, 0, tzinfo=PARIS), "Europe/Paris", *NIGHT)
    # 02:00 UTC is 03:00 in Paris (quiet) but 21:00 the day before in New York (quiet too), 14:00 UTC neither
    assert in_quiet_hours(datetime(2026, 11, 24, 2, 0, tzinfo=UTC), "America/New_York", *NIGHT)
    assert not in_quiet_hours(datetime(2026, 11, 24, 14, 0, tzinfo=UTC), "America/New_York", *NIGHT)


def test_a_message_due_at_night_waits_for_the_morning() -> None:
    evening = datetime(2026, 11, 23, 22, 30, tzinfo=PARIS)
    assert after_quiet_hours(evening, "Europe/Paris", *NIGHT) == datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)
    early = datetime(2026, 11, 24, 6, 0, tzinfo=PARIS)
    assert after_quiet_hours(early, "Europe/Paris", *NIGHT) == datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)
    day = datetime(2026, 11, 24, 12, 0, tzinfo=PARIS)
    assert after_quiet_hours(day, "Europe/Paris", *NIGHT) == day


def test_morning_is_local_across_a_daylight_saving_change() -> None:
    # Paris springs forward on 28 March 2027: 08:00 that morning is 06:00 UTC, the day before 07:00 UTC
    due = datetime(2027, 3, 27, 23, 30, tzinfo=PARIS)
    sent = after_quiet_hours(due.astimezone(UTC), "Europe/Paris", *NIGHT)
    assert sent == datetime(2027, 3, 28, 6, 0, tzinfo=UTC)
    # New York springs forward on 14 March 2027
    due = datetime(2027, 3, 13, 22, 0, tzinfo=NEW_YORK)
    assert after_quiet_hours(due.astimezone(UTC), "America/New_York", *NIGHT) == datetime(
        2027, 3, 14, 12, 0, tzinfo=UTC
    )


def test_cadence_is_a_reminder_after_a_day_and_a_warning_the_day_before_expiry() -> None:
    ready = datetime(2026, 11, 23, 14, 0, tzinfo=PARIS)
    deadline = ready + timedelta(hours=72)
    plan = collection_messages(ready, deadline, OrderPolicy(), "Europe/Paris")
    assert plan == [(ready + timedelta(hours=24), REMINDER), (ready + timedelta(hours=48), WARNING)]


def test_cadence_moves_night_messages_to_the_morning() -> None:
    ready = datetime(2026, 11, 23, 22, 15, tzinfo=PARIS)
    plan = collection_messages(ready, ready + timedelta(hours=72), OrderPolicy(), "Europe/Paris")
    assert plan == [
        (datetime(2026, 11, 25, 8, 0, tzinfo=PARIS), REMINDER),
        (datetime(2026, 11, 26, 8, 0, tzinfo=PARIS), WARNING),
    ]


def test_a_reminder_too_close_to_the_warning_gives_way_to_it() -> None:
    ready = datetime(2026, 11, 23, 14, 0, tzinfo=PARIS)
    plan = collection_messages(ready, ready + timedelta(hours=48), OrderPolicy(), "Europe/Paris")
    assert plan == [(ready + timedelta(hours=24), WARNING)]


def test_without_quiet_hours_or_warning_only_the_reminder_remains() -> None:
    policy = OrderPolicy(quiet_hours_start=None, expiry_warning_before=None)
    ready = datetime(2026, 11, 23, 22, 15, tzinfo=PARIS)
    plan = collection_messages(ready, ready + timedelta(hours=72), policy, "Europe/Paris")
    assert plan == [(ready + timedelta(hours=24), REMINDER)]


def test_urgent_messages_go_at_once_unless_configured_otherwise() -> None:
    night = datetime(2026, 11, 23, 23, 0, tzinfo=PARIS)
    assert urgent_message_time(night, OrderPolicy(), "Europe/Paris") == night
    held = urgent_message_time(night, OrderPolicy(quiet_hours_for_urgent=True), "Europe/Paris")
    assert held == datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)


def test_a_booked_slot_is_recalled_before_it_past_quiet_hours() -> None:
    from datetime import UTC, datetime, timedelta

    from domain.notifications import NotificationKind
    from domain.policy import OrderPolicy
    from domain.reminders import collection_messages

    policy = OrderPolicy()  # quiet 21:00–08:00, slot reminder 2 h before
    ready = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Paris
    deadline = ready + policy.hold_period
    afternoon = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    plan = collection_messages(ready, deadline, policy, "Europe/Paris", slot_start=afternoon)
    assert (afternoon - timedelta(hours=2), NotificationKind.SLOT_REMINDER) in plan
    assert [at for at, _ in plan] == sorted(at for at, _ in plan)
    morning = datetime(
        2026, 11, 24, 8, 0, tzinfo=UTC
    )  # 09:00 Paris: 07:00 is quiet, the reminder waits to 08:00
    plan = collection_messages(ready, deadline, policy, "Europe/Paris", slot_start=morning)
    assert (datetime(2026, 11, 24, 7, 0, tzinfo=UTC), NotificationKind.SLOT_REMINDER) in plan
    soon = ready + timedelta(hours=1)  # ready less than 2 h before the slot: the ready message says it all
    kinds = [
        kind for _, kind in collection_messages(ready, deadline, policy, "Europe/Paris", slot_start=soon)
    ]
    assert NotificationKind.SLOT_REMINDER not in kinds
