"""When the customer hears from us while an order waits: the reminder cadence and quiet hours."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.notifications import NotificationKind
from domain.policy import OrderPolicy
from domain.store_calendar import Calendar, on_an_open_day

_MIN_GAP = timedelta(hours=1)


def in_quiet_hours(at: datetime, timezone: str, start: time, end: time) -> bool:
    """Whether `at` falls in the quiet hours [start, end) of the store's local day (may wrap midnight)."""
    local = at.astimezone(ZoneInfo(timezone)).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def after_quiet_hours(at: datetime, timezone: str, start: time, end: time) -> datetime:
    """`at`, or when the quiet hours it falls in end (local time, so daylight saving is respected)."""
    if not in_quiet_hours(at, timezone, start, end):
        return at
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    day = local.date()
    if start > end and local.time() >= start:  # late evening: quiet until tomorrow morning
        day += timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(at.tzinfo)


def collection_messages(
    ready_at: datetime,
    deadline: datetime,
    policy: OrderPolicy,
    timezone: str,
    slot_start: datetime | None = None,
    calendar: Calendar | None = None,
) -> list[tuple[datetime, NotificationKind]]:
    """The messages to send while a ready order waits, in order: a reminder after `reminder_after_ready`
    and an expiry warning `expiry_warning_before` the deadline, each moved past quiet hours and dropped
    if it would come at or after the deadline; a reminder too close to the warning gives way to it.
    With a booked slot, a slot reminder `slot_reminder_before` it (past quiet hours, before the slot).
    With the store's calendar, a reminder due on a day the store is closed waits for its next opening."""

    def allowed(moment: datetime) -> datetime:
        if policy.quiet_hours_start is None:
            return moment
        return after_quiet_hours(moment, timezone, policy.quiet_hours_start, policy.quiet_hours_end)

    plan: list[tuple[datetime, NotificationKind]] = []
    due = ready_at + policy.reminder_after_ready
    reminder = allowed(on_an_open_day(calendar, due) if calendar else due)
    warning = allowed(deadline - policy.expiry_warning_before) if policy.expiry_warning_before else None
    if warning is not None and not ready_at < warning < deadline:
        warning = None
    if reminder < deadline and (warning is None or reminder <= warning - _MIN_GAP):
        plan.append((reminder, NotificationKind.PICKUP_REMINDER))
    if warning is not None:
        plan.append((warning, NotificationKind.EXPIRY_WARNING))
    if slot_start is not None:
        before_slot = allowed(slot_start - policy.slot_reminder_before)
        if ready_at < before_slot < slot_start:
            plan.append((before_slot, NotificationKind.SLOT_REMINDER))
    return sorted(plan, key=lambda entry: entry[0])


def urgent_message_time(at: datetime, policy: OrderPolicy, timezone: str) -> datetime:
    """Urgent messages (ready, re-routed) go at once unless quiet hours are set to cover them too."""
    if not policy.quiet_hours_for_urgent or policy.quiet_hours_start is None:
        return at
    return after_quiet_hours(at, timezone, policy.quiet_hours_start, policy.quiet_hours_end)
