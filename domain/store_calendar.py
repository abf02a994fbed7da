"""A store's calendar: its weekly opening hours and its special days (public holidays, closures for
works or stock counts, late openings, extended hours before Christmas), and the one place that says when
the store is open. Every instant here is real time: bounds are local wall-clock times turned into UTC
with zoneinfo, so a daylight-saving change lengthens or shortens the day it falls on, never a promise."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from domain.contract import Contract

# How far ahead the calendar is searched: a store closed longer than this is taken as never opening.
HORIZON_DAYS = 400


class OpeningHours(Contract):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    opens: time
    closes: time


class DayHours(Contract):
    opens: time
    closes: time

    @model_validator(mode="after")
    def _opens_before_closing(self) -> "DayHours":
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class SpecialDay(Contract):
    """One local date whose hours replace the weekly ones: no hours means closed all day."""

    date: date
    hours: list[DayHours] = Field(default_factory=list, max_length=4, description="empty: closed all day")
    note: str | None = Field(default=None, max_length=120, examples=["Christmas Day", "stock count"])

    @property
    def closed(self) -> bool:
        return not self.hours


class Calendar(Protocol):
    """What a store's calendar is made of (a `StoreProfile` is one)."""

    @property
    def opening_hours(self) -> Sequence[OpeningHours]: ...
    @property
    def special_days(self) -> Sequence[SpecialDay]: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class StoreHours:
    """A calendar from its parts (weekly hours, special days, timezone)."""

    opening_hours: Sequence[OpeningHours]
    timezone: str
    special_days: Sequence[SpecialDay] = field(default_factory=tuple)


Interval = tuple[datetime, datetime]


def special_day(calendar: Calendar, day: date) -> SpecialDay | None:
    return next((special for special in calendar.special_days if special.date == day), None)


def hours_on(calendar: Calendar, day: date) -> list[tuple[time, time]]:
    """The day's opening hours in order: a special day's replace the weekly ones (none: closed)."""
    special = special_day(calendar, day)
    if special is not None:
        return sorted((h.opens, h.closes) for h in special.hours)
    weekly = (h for h in calendar.opening_hours if h.weekday == day.weekday() and h.closes > h.opens)
    return sorted((h.opens, h.closes) for h in weekly)


def never_opens(calendar: Calendar) -> bool:
    """No weekly hours and no special day with hours: the store keeps no calendar at all."""
    return not calendar.opening_hours and not any(special.hours for special in calendar.special_days)


def instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC instant (a time the clock skips reads as after the change)."""
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


def openings(calendar: Calendar, since: datetime, days: int = HORIZON_DAYS) -> Iterator[Interval]:
    """The store's opening intervals in UTC, in order, from the local day of `since` (an interval of that
    day already over is included: callers clip) for `days` days."""
    tz = ZoneInfo(calendar.timezone)
    special = {entry.date: entry for entry in calendar.special_days}
    weekly: dict[int, list[tuple[time, time]]] = {}
    for h in calendar.opening_hours:
        if h.closes > h.opens:
            weekly.setdefault(h.weekday, []).append((h.opens, h.closes))
    first = since.astimezone(tz).date()
    for offset in range(days):
        day = first + timedelta(days=offset)
        hours = (
            sorted((h.opens, h.closes) for h in special[day].hours)
            if day in special
            else sorted(weekly.get(day.weekday(), []))
        )
        for opens, closes in hours:
            yield instant(day, opens, tz), instant(day, closes, tz)


def open_between(calendar: Calendar, start: datetime, end: datetime) -> list[Interval]:
    """The store's open intervals between two instants, clipped to them."""
    spans = []
    for opens, closes in openings(calendar, start):
        if opens >= end:
            break
        if closes > start:
            spans.append((max(opens, start), min(closes, end)))
    return spans


def after_open_time(calendar: Calendar, start: datetime, duration: timedelta) -> datetime | None:
    """The instant `duration` of opening time after `start`; None when the store never opens that much
    within the horizon."""
    remaining = duration
    for opens, closes in openings(calendar, start):
        begin = max(opens, start)
        if begin >= closes:
            continue
        if remaining <= closes - begin:
            return begin + remaining
        remaining -= closes - begin
    return None


def closing_time(calendar: Calendar, day: date) -> datetime | None:
    """When the store closes on this local day (its last closing, after a lunch break); None: closed."""
    hours = hours_on(calendar, day)
    return instant(day, hours[-1][1], ZoneInfo(calendar.timezone)) if hours else None


def open_day_closing(calendar: Calendar, moment: datetime) -> datetime | None:
    """The closing time of `moment`'s local day, or of the first day after it that the store opens (days
    it is closed, weekly or special, are skipped; so is the day itself once closed at `moment`); None: it
    never opens within the horizon."""
    day = moment.astimezone(ZoneInfo(calendar.timezone)).date()
    for offset in range(HORIZON_DAYS):
        closes = closing_time(calendar, day + timedelta(days=offset))
        if closes is not None and closes >= moment:
            return closes
    return None


def is_closing_time(calendar: Calendar, moment: datetime) -> bool:
    """Whether the store closes (for the day) at `moment`: a hold that ends then is said to."""
    return closing_time(calendar, moment.astimezone(ZoneInfo(calendar.timezone)).date()) == moment


def on_an_open_day(calendar: Calendar, moment: datetime) -> datetime:
    """`moment` when the store opens on its local day; otherwise the store's next opening (a message
    about coming to the store waits for a day it can be acted on). `moment` if it never opens."""
    day = moment.astimezone(ZoneInfo(calendar.timezone)).date()
    if hours_on(calendar, day):
        return moment
    following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(calendar.timezone))
    return next(openings(calendar, following), (moment, moment))[0]


def upcoming(calendar: Calendar, today: date, days: int) -> list[SpecialDay]:
    """The special days from `today` on for `days` days, in date order (what the customer is told)."""
    last = today + timedelta(days=days)
    return sorted((s for s in calendar.special_days if today <= s.date < last), key=lambda s: s.date)
