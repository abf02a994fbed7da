"""Pickup slots cut from opening hours: staffing per weekday, timezones, daylight-saving days."""

from datetime import UTC, date, datetime, time, timedelta

from domain.slots import SlotRule, slot_at, slots_on, with_remaining
from domain.values import OpeningHours


def _hours(weekday: int, opens: str, closes: str) -> OpeningHours:
    return OpeningHours(weekday=weekday, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes))


def _every_day(minutes: int = 30, capacity: int = 4) -> list[SlotRule]:
    return [SlotRule(weekday=day, minutes=minutes, capacity=capacity) for day in range(7)]


MONDAY = date(2026, 11, 23)


def test_slots_cover_opening_hours_one_after_the_other() -> None:
    slots = slots_on(MONDAY, [_hours(0, "10:00", "12:00")], _every_day(30, 4), "Europe/Paris")
    assert [s.starts_at for s in slots] == [
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC) + timedelta(minutes=30 * i) for i in range(4)
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) and s.capacity == 4 for s in slots)


def test_a_slot_that_would_end_after_closing_is_not_offered() -> None:
    slots = slots_on(MONDAY, [_hours(0, "10:00", "11:50")], _every_day(30), "Europe/Paris")
    assert len(slots) == 3
    assert slots[-1].ends_at == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)  # 11:30 Paris, not 12:00


def test_a_lunch_break_splits_the_day_and_each_part_starts_at_its_opening() -> None:
    hours = [_hours(0, "14:00", "15:00"), _hours(0, "09:15", "10:15")]
    starts = [s.starts_at.astimezone(UTC).time() for s in slots_on(MONDAY, hours, _every_day(60), "UTC")]
    assert starts == [time(9, 15), time(14, 0)]


def test_staffing_differs_per_weekday_and_a_day_without_rule_has_no_slots() -> None:
    hours = [_hours(day, "10:00", "12:00") for day in range(7)]
    rules = [SlotRule(weekday=0, minutes=60, capacity=2), SlotRule(weekday=5, minutes=15, capacity=9)]
    assert [s.capacity for s in slots_on(MONDAY, hours, rules, "UTC")] == [2, 2]
    assert len(slots_on(MONDAY + timedelta(days=5), hours, rules, "UTC")) == 8
    assert slots_on(MONDAY + timedelta(days=1), hours, rules, "UTC") == []


def test_a_closed_day_has_no_slots() -> None:
    assert slots_on(MONDAY, [_hours(1, "10:00", "12:00")], _every_day(), "Europe/Paris") == []


def test_slots_follow_the_store_timezone() -> None:
    hours = [_hours(0, "09:00", "10:00")]
    (paris,) = slots_on(MONDAY, hours, _every_day(60), "Europe/Paris")
    (new_york,) = slots_on(MONDAY, hours, _every_day(60), "America/New_York")
    assert paris.starts_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert new_york.starts_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_spring_forward_the_hour_that_does_not_exist_has_no_slot() -> None:
    sunday = date(2026, 3, 29)  # Europe/Paris: 02:00 becomes 03:00
    slots = slots_on(sunday, [_hours(6, "01:00", "05:00")], _every_day(60), "Europe/Paris")
    assert [s.starts_at.hour for s in slots] == [0, 1, 2]  # UTC: 01:00 CET, 03:00 and 04:00 CEST
    assert all(s.ends_at - s.starts_at == timedelta(hours=1) for s in slots)


def test_fall_back_the_hour_that_happens_twice_has_two_slots() -> None:
    sunday = date(2026, 10, 25)  # Europe/Paris: 03:00 becomes 02:00 again
    slots = slots_on(sunday, [_hours(6, "01:00", "05:00")], _every_day(60), "Europe/Paris")
    assert [s.starts_at.hour for s in slots] == [23, 0, 1, 2, 3]  # 01:00, 02:00 twice, 03:00, 04:00 local
    assert len({s.starts_at for s in slots}) == 5


def test_ordinary_opening_hours_on_a_daylight_saving_day_keep_their_local_times() -> None:
    sunday = date(2026, 3, 29)
    slots = slots_on(sunday, [_hours(6, "11:00", "13:00")], _every_day(60), "Europe/Paris")
    assert [s.starts_at for s in slots] == [
        datetime(2026, 3, 29, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 10, 0, tzinfo=UTC),
    ]


def test_slot_at_finds_only_a_slot_the_store_offers() -> None:
    hours, rules = [_hours(0, "10:00", "12:00")], _every_day(30)
    assert slot_at(datetime(2026, 11, 23, 9, 30, tzinfo=UTC), hours, rules, "Europe/Paris") is not None
    assert slot_at(datetime(2026, 11, 23, 9, 10, tzinfo=UTC), hours, rules, "Europe/Paris") is None
    assert slot_at(datetime(2026, 11, 23, 11, 0, tzinfo=UTC), hours, rules, "Europe/Paris") is None


def test_remaining_places_count_bookings_and_never_go_below_zero() -> None:
    slots = slots_on(MONDAY, [_hours(0, "10:00", "11:00")], _every_day(30, 3), "UTC")
    left = with_remaining(slots, {slots[0].starts_at: 1, slots[1].starts_at: 7})
    assert [s.remaining for s in left] == [2, 0]


def test_a_slot_is_chosen_while_the_store_has_the_order_and_never_once_it_has_left() -> None:
    from domain.slots import may_choose_slot
    from domain.status import OrderStatus

    assert may_choose_slot(OrderStatus.ACCEPTED) and may_choose_slot(OrderStatus.READY)
    assert not any(
        may_choose_slot(s) for s in (OrderStatus.COLLECTED, OrderStatus.CANCELLED, OrderStatus.IN_DELIVERY)
    )
