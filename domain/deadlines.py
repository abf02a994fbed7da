"""When an order must be ready, when the customer is reminded, when an uncollected order expires, when
the customer's tracking link stops working."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.status import TERMINAL, OrderStatus
from domain.values import OpeningHours, TimelineEntry

_SEARCH_DAYS = 15


def _open_intervals(local_start: datetime, hours: list[OpeningHours]) -> list[tuple[datetime, datetime]]:
    """Opening intervals (local, aware) from the day of `local_start` for about two weeks."""
    by_day: dict[int, list[OpeningHours]] = {}
    for entry in hours:
        by_day.setdefault(entry.weekday, []).append(entry)
    intervals = []
    tz = local_start.tzinfo
    for offset in range(_SEARCH_DAYS):
        day = (local_start + timedelta(days=offset)).date()
        for entry in sorted(by_day.get(day.weekday(), []), key=lambda e: e.opens):
            opens = datetime.combine(day, entry.opens, tzinfo=tz)
            closes = datetime.combine(day, entry.closes, tzinfo=tz)
            if closes > opens:
                intervals.append((opens, closes))
    return intervals


def ready_by(placed_at: datetime, promise: timedelta, hours: list[OpeningHours], timezone: str) -> datetime:
    """The promise counts opening time only: an order placed at night is due `promise` after opening."""
    if not hours:
        return placed_at + promise
    tz = ZoneInfo(timezone)
    local = placed_at.astimezone(tz)
    remaining = promise
    for opens, closes in _open_intervals(local, hours):
        start = max(opens, local)
        if start >= closes:
            continue
        available = closes - start
        if remaining <= available:
            return (start + remaining).astimezone(placed_at.tzinfo)
        remaining -= available
    return placed_at + promise


def pickup_deadline(ready_at: datetime, hold_period: timedelta) -> datetime:
    """An uncollected order is held for the hold period after it was ready, then expires."""
    return ready_at + hold_period


def reminder_at(ready_at: datetime, reminder_after_ready: timedelta, deadline: datetime) -> datetime | None:
    """The collection reminder, unless it would come at or after the expiry itself."""
    due = ready_at + reminder_after_ready
    return due if due < deadline else None


def tracking_link_expiry(
    status: OrderStatus, timeline: list[TimelineEntry], grace: timedelta
) -> tuple[datetime, datetime] | None:
    """When the order ended and when its tracking link stops working (`grace` after the end); None
    while the order runs: a link is a bearer secret, so it lives no longer than the customer needs."""
    if status not in TERMINAL:
        return None
    ended = next((entry.at for entry in reversed(timeline) if entry.status is status), None)
    if ended is None:  # an order recorded without its timeline: it ended no later than now
        return None
    return ended, ended + grace
