"""When an order must be ready, when the customer is reminded, when an uncollected order expires, when
the customer's tracking link stops working."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.status import TERMINAL, OrderStatus
from domain.store_calendar import (
    Calendar,
    SpecialDay,
    StoreHours,
    after_open_time,
    never_opens,
    open_day_closing,
)
from domain.values import OpeningHours, TimelineEntry


def ready_by(
    placed_at: datetime,
    promise: timedelta,
    hours: Sequence[OpeningHours],
    timezone: str,
    special_days: Sequence[SpecialDay] = (),
) -> datetime:
    """The promise counts opening time only (special days included): an order placed at night is due
    `promise` after opening; a store with no calendar counts the clock."""
    calendar = StoreHours(hours, timezone, special_days)
    if never_opens(calendar):
        return placed_at + promise
    due = after_open_time(calendar, placed_at, promise)
    return placed_at + promise if due is None else due.astimezone(placed_at.tzinfo)


def pickup_deadline(
    hold_from: datetime, hold_period: timedelta, calendar: Calendar | None = None
) -> datetime:
    """An uncollected order is held for the hold period, then expires; with the store's calendar the hold
    ends while the store is open: at closing time of the hold's last day, or of the next day the store
    opens when it is closed that day or the period ends after its closing. Without one, on the clock."""
    end = hold_from + hold_period
    if calendar is None or never_opens(calendar):
        return end
    closing = open_day_closing(calendar, end)
    return end if closing is None else closing.astimezone(end.tzinfo)


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
