"""Pickup slots: the day's slots of a store with the places left, and an order's booking (taken at
intake or on the pickup page, changed, given back when the order ends). A special day's hours replace the
weekly ones: a store closed that day offers no slots."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db import slots as slot_rows
from domain import slots
from domain.slots import Slot
from domain.values import StoreProfile
from services.errors import InvalidField, SlotFull
from services.stores import get_store


async def day_slots(conn: AsyncConnection, store_id: str, day: date) -> list[Slot]:
    """The store's slots on this local day, each with the places still free."""
    store = await get_store(conn, store_id)
    day_slots = slots.slots_on(
        day, store.opening_hours, await slot_rows.rules(conn, store_id), store.timezone, store.special_days
    )
    if not day_slots:
        return []
    taken = await slot_rows.booked(conn, store_id, day_slots[0].starts_at, day_slots[-1].ends_at)
    return slots.with_remaining(day_slots, taken)


async def offered_slot(conn: AsyncConnection, store: StoreProfile, starts_at: datetime) -> Slot:
    """The store's slot starting then; a time it offers no slot at is the caller's mistake."""
    starts = starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=UTC)
    rules = await slot_rows.rules(conn, store.id)
    found = slots.slot_at(starts, store.opening_hours, rules, store.timezone, store.special_days)
    if found is None:
        raise InvalidField(("pickup_slot",), "the store offers no pickup slot starting at this time")
    return found


async def book_in(conn: AsyncConnection, order_id: str, store: StoreProfile, starts_at: datetime) -> Slot:
    """The order's slot, in the caller's transaction: the same booking again changes nothing, another
    slot takes a place there first and then frees the old one; a full slot refuses and changes nothing."""
    slot = await offered_slot(conn, store, starts_at)
    await slot_rows.lock_order(conn, order_id)
    held = await slot_rows.booking_of(conn, order_id)
    if held is not None and held.starts_at == slot.starts_at:
        return slot
    if not await slot_rows.take_place(conn, store.id, slot):
        raise SlotFull(slot.starts_at)
    if held is not None:
        await slot_rows.free_place(conn, store.id, held.starts_at)
    await slot_rows.keep_booking(conn, order_id, store.id, slot)
    return slot


async def book(engine: AsyncEngine, order_id: str, store_id: str, starts_at: datetime) -> Slot:
    """Book or change the order's slot, in a transaction of its own."""
    async with engine.begin() as conn:
        return await book_in(conn, order_id, await get_store(conn, store_id), starts_at)


async def release(engine: AsyncEngine, order_id: str) -> Slot | None:
    """The order's place given back (cancelled, expired, slot dropped); a repeat does nothing."""
    async with engine.begin() as conn:
        await slot_rows.lock_order(conn, order_id)
        return await slot_rows.release(conn, order_id)


async def booking(conn: AsyncConnection, order_id: str) -> Slot | None:
    return await slot_rows.booking_of(conn, order_id)


async def choices(
    conn: AsyncConnection, store: StoreProfile, now: datetime, days: int, keep: Slot | None = None
) -> list[tuple[date, list[Slot]]]:
    """The slots a customer may pick, day by day in the store's calendar from today: not begun and with
    a place left (the order's own slot, `keep`, stays listed even when full)."""
    today = now.astimezone(ZoneInfo(store.timezone)).date()
    offered = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        free = [
            slot
            for slot in await day_slots(conn, store.id, day)
            if slot.starts_at > now
            and (slot.remaining or (keep is not None and keep.starts_at == slot.starts_at))
        ]
        if free:
            offered.append((day, free))
    return offered
