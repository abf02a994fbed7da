"""A store's calendar in every deadline: special days (a closed day, a late opening, longer hours) in the
preparation promise, the SLA, pickup slots, reminders and the hold, and real time across daylight saving
(Europe/Paris, the last Sundays of March and October)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.deadlines import pickup_deadline, ready_by
from domain.notifications import NotificationKind
from domain.policy import OrderPolicy
from domain.reminders import collection_messages
from domain.sla import preparation_sla
from domain.slots import SlotRule, slots_on
from domain.store_calendar import DayHours, SpecialDay, StoreHours, hours_on, open_between, upcoming
from domain.values import OpeningHours
from tests.unit.order_builders import store

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS = [OpeningHours(weekday=day, opens=time(9, 30), closes=time(20, 0)) for day in range(6)]
SUNDAY = OpeningHours(weekday=6, opens=time(11), closes=time(19))
STOCK_COUNT = SpecialDay(date=date(2026, 11, 25), note="stock count")  # a Wednesday, closed
LATE = SpecialDay(date=date(2026, 11, 26), hours=[DayHours(opens=time(14), closes=time(20))], note="training")
LONGER = SpecialDay(date=date(2026, 11, 27), hours=[DayHours(opens=time(8), closes=time(22))])
SHOP = store("paris-rivoli", opening_hours=[*WEEKDAYS, SUNDAY], special_days=[STOCK_COUNT, LATE, LONGER])
TWO_HOURS = timedelta(hours=2)


def paris(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def _due(placed: datetime, promise: timedelta) -> datetime:
    return ready_by(placed, promise, SHOP.opening_hours, SHOP.timezone, SHOP.special_days)


def test_a_special_day_replaces_the_weekly_hours() -> None:
    assert hours_on(SHOP, date(2026, 11, 24)) == [(time(9, 30), time(20))]
    assert hours_on(SHOP, date(2026, 11, 25)) == []
    assert hours_on(SHOP, date(2026, 11, 26)) == [(time(14), time(20))]


def test_the_promise_skips_a_day_closed_for_a_stock_count_and_waits_for_a_late_opening() -> None:
    # Tuesday 19:00: one hour tonight, Wednesday closed, the second hour from Thursday's 14:00 opening
    assert _due(paris(2026, 11, 24, 19, 0), TWO_HOURS) == paris(2026, 11, 26, 15, 0)
    # without the special days it would have been Wednesday 10:30
    weekly = ready_by(paris(2026, 11, 24, 19, 0), TWO_HOURS, SHOP.opening_hours, SHOP.timezone)
    assert weekly == paris(2026, 11, 25, 10, 30)


def test_longer_hours_on_a_special_day_count_as_opening_time() -> None:
    assert _due(paris(2026, 11, 27, 8, 0), TWO_HOURS) == paris(2026, 11, 27, 10, 0)
    assert _due(paris(2026, 11, 27, 21, 0), TWO_HOURS) == paris(2026, 11, 28, 10, 30)


def test_the_sla_counts_the_store_calendar() -> None:
    sla = preparation_sla(paris(2026, 11, 25, 10, 0).astimezone(UTC), OrderPolicy(), SHOP)  # closed day
    assert sla.accept_by == paris(2026, 11, 26, 14, 30)  # 30 minutes from Thursday's late opening
    assert sla.ready_by == paris(2026, 11, 26, 16, 0)
    assert sla.ready_at_risk < sla.ready_by and sla.accept_at_risk < sla.accept_by


def test_no_slots_on_a_closed_day_and_changed_hours_bound_the_slots() -> None:
    rules = [SlotRule(weekday=day, minutes=60, capacity=2) for day in range(7)]

    def local_starts(day: date) -> list[time]:
        slots = slots_on(day, SHOP.opening_hours, rules, SHOP.timezone, SHOP.special_days)
        return [slot.starts_at.astimezone(PARIS).time() for slot in slots]

    assert local_starts(date(2026, 11, 25)) == []
    assert local_starts(date(2026, 11, 26)) == [time(h) for h in range(14, 20)]
    assert local_starts(date(2026, 11, 27))[0] == time(8) and local_starts(date(2026, 11, 27))[-1] == time(21)
    assert len(local_starts(date(2026, 11, 24))) == 10  # 09:30 to 19:30 on a usual Tuesday


def test_the_hold_ends_at_closing_time_skipping_a_special_closed_day() -> None:
    hold = timedelta(hours=72)
    # ready Sunday 12:00: 72 hours is Wednesday (stock count), so the hold runs to Thursday's closing
    assert pickup_deadline(paris(2026, 11, 22, 12, 0), hold, SHOP) == paris(2026, 11, 26, 20, 0)
    # a hold whose last day has longer hours ends at the later closing
    assert pickup_deadline(paris(2026, 11, 24, 9, 0), hold, SHOP) == paris(2026, 11, 27, 22, 0)
    # without a calendar (orders started before store calendars): on the clock
    assert pickup_deadline(paris(2026, 11, 22, 12, 0), hold) == paris(2026, 11, 25, 12, 0)


def test_a_reminder_due_on_a_closed_day_waits_for_the_next_opening() -> None:
    policy = OrderPolicy(expiry_warning_before=None)
    ready = paris(2026, 11, 24, 15, 0)  # Tuesday: the reminder 24 h later falls on the closed Wednesday
    deadline = pickup_deadline(ready, policy.hold_period, SHOP)
    plan = collection_messages(ready, deadline, policy, SHOP.timezone, None, SHOP)
    assert plan == [(paris(2026, 11, 26, 14, 0), NotificationKind.PICKUP_REMINDER)]
    weekly = collection_messages(ready, deadline, policy, SHOP.timezone)
    assert weekly == [(paris(2026, 11, 25, 15, 0), NotificationKind.PICKUP_REMINDER)]


def test_open_between_two_instants_is_clipped_and_skips_closed_days() -> None:
    spans = open_between(SHOP, paris(2026, 11, 24, 18, 0), paris(2026, 11, 26, 15, 0))
    assert spans == [
        (paris(2026, 11, 24, 18, 0), paris(2026, 11, 24, 20, 0)),
        (paris(2026, 11, 26, 14, 0), paris(2026, 11, 26, 15, 0)),
    ]


def test_the_customer_is_told_of_special_days_ahead_in_date_order() -> None:
    assert [s.date for s in upcoming(SHOP, date(2026, 11, 26), 7)] == [date(2026, 11, 26), date(2026, 11, 27)]


# ---- daylight saving: Europe/Paris, the last Sunday of March (23 hours) and of October (25 hours) ----

NIGHT = StoreHours([OpeningHours(weekday=6, opens=time(1), closes=time(5))], "Europe/Paris")


def test_opening_time_is_real_time_on_the_short_day_of_march() -> None:
    # 01:00–05:00 on 28 March 2027 lasts three hours (02:00 becomes 03:00)
    (span,) = open_between(NIGHT, paris(2027, 3, 28, 0, 0), paris(2027, 3, 29, 0, 0))
    assert span[1] - span[0] == timedelta(hours=3)
    due = ready_by(
        paris(2027, 3, 28, 1, 0), timedelta(hours=3, minutes=30), NIGHT.opening_hours, NIGHT.timezone
    )
    assert due == paris(2027, 4, 4, 1, 30)  # half an hour into the next Sunday's opening
    assert ready_by(
        paris(2027, 3, 28, 1, 0), timedelta(hours=2), NIGHT.opening_hours, NIGHT.timezone
    ) == paris(2027, 3, 28, 4, 0)


def test_opening_time_is_real_time_on_the_long_day_of_october() -> None:
    # 01:00–05:00 on 31 October 2027 lasts five hours (03:00 comes back to 02:00)
    due = ready_by(
        paris(2027, 10, 31, 1, 0), timedelta(hours=4, minutes=30), NIGHT.opening_hours, NIGHT.timezone
    )
    assert due == paris(2027, 10, 31, 4, 30)
    # real time: (the same zone's datetimes subtract as wall clocks, hence UTC)
    assert due.astimezone(UTC) - paris(2027, 10, 31, 1, 0).astimezone(UTC) == timedelta(hours=4, minutes=30)


def test_the_hold_ends_at_closing_time_across_both_clock_changes() -> None:
    hold = timedelta(hours=72)
    # ready Thursday 25 March 2027 10:00 CET: 72 real hours is Sunday 11:00 CEST; Sunday closes at 19:00
    march = pickup_deadline(paris(2027, 3, 25, 10, 0), hold, SHOP)
    assert march == paris(2027, 3, 28, 19, 0) and march.astimezone(UTC).hour == 17
    # ready Thursday 28 October 2027 10:00 CEST: the hold's last day is Sunday the 31st, closing 19:00 CET
    october = pickup_deadline(paris(2027, 10, 28, 10, 0), hold, SHOP)
    assert october == paris(2027, 10, 31, 19, 0) and october.astimezone(UTC).hour == 18


def test_slots_on_a_special_day_falling_on_the_short_day_of_march() -> None:
    opened = SpecialDay(date=date(2027, 3, 28), hours=[DayHours(opens=time(1), closes=time(5))])
    rules = [SlotRule(weekday=6, minutes=60, capacity=1)]
    slots = slots_on(date(2027, 3, 28), [SUNDAY], rules, "Europe/Paris", [opened])
    assert [s.starts_at.astimezone(PARIS).time() for s in slots] == [time(1), time(3), time(4)]


def test_a_hold_ending_after_closing_runs_to_the_next_closing_never_shorter() -> None:
    # staged after hours: Tuesday 20:30 + 72 h is Friday 20:30, within Friday's longer hours (to 22:00);
    # Monday 20:30 + 72 h is Thursday 20:30, after Thursday's closing: the hold runs to Friday's
    assert pickup_deadline(paris(2026, 11, 24, 20, 30), timedelta(hours=72), SHOP) == paris(
        2026, 11, 27, 22, 0
    )
    assert pickup_deadline(paris(2026, 11, 23, 20, 30), timedelta(hours=72), SHOP) == paris(
        2026, 11, 27, 22, 0
    )
