"""Pickup slots: the store's opening hours cut into slots of its staffing rule's length, each able to
hand over so many orders. A special day's hours replace the weekly ones (closed: no slots that day).
Slots are real time: on a daylight-saving day an hour of opening that does not exist yields no slot, and
an hour that happens twice yields two."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import Field

from domain.contract import Contract
from domain.status import IN_PREPARATION, OrderStatus
from domain.store_calendar import SpecialDay, StoreHours, hours_on, instant
from domain.values import OpeningHours, PreparationSla

# A slot is chosen or changed while the store prepares the order or holds it; never once it has left.
CHOOSE_SLOT_WHILE = IN_PREPARATION | {OrderStatus.READY, OrderStatus.RECEIVED}


class SlotRule(Contract):
    """How the store hands orders over on one weekday: slots of `minutes`, `capacity` orders each."""

    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    minutes: int = Field(ge=5, le=240, description="slot length")
    capacity: int = Field(ge=1, le=500, description="orders one slot can hand over")


class Slot(Contract):
    """One pickup slot, its bounds in UTC, how many orders it holds and how many places are left."""

    starts_at: datetime
    ends_at: datetime
    capacity: int
    remaining: int | None = None


def slots_on(
    day: date,
    hours: Sequence[OpeningHours],
    rules: list[SlotRule],
    timezone: str,
    special_days: Sequence[SpecialDay] = (),
) -> list[Slot]:
    """The day's slots, in order: from each opening, one after the other, none ending after closing.
    No rule for the weekday (or no opening hours that day, a special day closed) means no slots."""
    rule = next((r for r in rules if r.weekday == day.weekday()), None)
    if rule is None:
        return []
    tz, length = ZoneInfo(timezone), timedelta(minutes=rule.minutes)
    slots = []
    for opens, closing in hours_on(StoreHours(hours, timezone, special_days), day):
        start, closes = instant(day, opens, tz), instant(day, closing, tz)
        while start + length <= closes:
            slots.append(Slot(starts_at=start, ends_at=start + length, capacity=rule.capacity))
            start += length
    return slots


def slot_at(
    starts_at: datetime,
    hours: Sequence[OpeningHours],
    rules: list[SlotRule],
    timezone: str,
    special_days: Sequence[SpecialDay] = (),
) -> Slot | None:
    """The slot starting at this instant, if the store has one; None otherwise."""
    local_day = starts_at.astimezone(ZoneInfo(timezone)).date()
    day = slots_on(local_day, hours, rules, timezone, special_days)
    return next((s for s in day if s.starts_at == starts_at), None)


def with_remaining(slots: list[Slot], booked: dict[datetime, int]) -> list[Slot]:
    """Each slot with the places still free (never below zero, should capacity have been lowered)."""
    return [
        s.model_copy(update={"remaining": max(0, s.capacity - booked.get(s.starts_at, 0))}) for s in slots
    ]


def may_choose_slot(status: OrderStatus) -> bool:
    """A customer books or changes a slot while the order is in the store's hands."""
    return status in CHOOSE_SLOT_WHILE


class PickupSlot(Contract):
    """The slot an order is booked in: when the customer comes."""

    starts_at: datetime
    ends_at: datetime


def aimed_at_slot(sla: PreparationSla, slot: PickupSlot) -> PreparationSla:
    """The preparation promise aims at the slot's start: a later slot gives the store until then (at risk
    as long before it as before the promise); an earlier one cannot hurry the store beyond its promise."""
    if slot.starts_at <= sla.ready_by:
        return sla
    warning = sla.ready_by - sla.ready_at_risk
    return sla.model_copy(update={"ready_by": slot.starts_at, "ready_at_risk": slot.starts_at - warning})


def hold_starts(ready_at: datetime, slot: PickupSlot | None) -> datetime:
    """The hold counts from the slot: an order ready before its slot is held from the slot's start."""
    return max(ready_at, slot.starts_at) if slot else ready_at
