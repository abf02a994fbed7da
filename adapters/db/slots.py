"""Pickup slots in the database: each store's staffing rules, the places taken per slot, and each
order's booking. A slot is never overbooked: its place is taken by one conditional UPDATE of its row
(`booked < capacity`), so concurrent bookings of the last places queue on the row and re-check."""

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import pickup_slot_bookings, pickup_slot_rules, pickup_slots
from domain.slots import Slot, SlotRule

# One conditional statement: the place is taken only while some are left.
_TAKE = text(
    """
UPDATE pickup_slots SET booked = booked + 1
 WHERE store_id = :store_id AND starts_at = :starts_at AND booked < :capacity
RETURNING booked
"""
)


async def rules(conn: AsyncConnection, store_id: str) -> list[SlotRule]:
    rows = await conn.execute(select(pickup_slot_rules).where(pickup_slot_rules.c.store_id == store_id))
    return [SlotRule(weekday=r.weekday, minutes=r.minutes, capacity=r.capacity) for r in rows]


async def set_rules(conn: AsyncConnection, store_id: str, new: list[SlotRule]) -> None:
    """The store's staffing rules, weekday by weekday; weekdays not given keep theirs."""
    if not new:
        return
    statement = insert(pickup_slot_rules)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[pickup_slot_rules.c.store_id, pickup_slot_rules.c.weekday],
            set_={"minutes": statement.excluded.minutes, "capacity": statement.excluded.capacity},
        ),
        [{"store_id": store_id, **rule.model_dump()} for rule in new],
    )


async def booked(conn: AsyncConnection, store_id: str, start: datetime, end: datetime) -> dict[datetime, int]:
    """Places taken per slot starting in [start, end)."""
    rows = await conn.execute(
        select(pickup_slots.c.starts_at, pickup_slots.c.booked).where(
            pickup_slots.c.store_id == store_id,
            pickup_slots.c.starts_at >= start,
            pickup_slots.c.starts_at < end,
        )
    )
    return {row.starts_at: row.booked for row in rows}


async def booking_of(conn: AsyncConnection, order_id: str, *, lock: bool = False) -> Slot | None:
    """The slot the order booked (its capacity is not read here: 0)."""
    query = select(pickup_slot_bookings).where(pickup_slot_bookings.c.order_id == order_id)
    row = (await conn.execute(query.with_for_update() if lock else query)).first()
    return Slot(starts_at=row.starts_at, ends_at=row.ends_at, capacity=0) if row else None


async def lock_order(conn: AsyncConnection, order_id: str) -> None:
    """Bookings of one order (retries, a change racing a cancel) one after the other, until commit."""
    await conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended("slot:" + order_id, 0))))


async def take_place(conn: AsyncConnection, store_id: str, slot: Slot) -> bool:
    """One place of the slot for an order, if one is left."""
    await conn.execute(
        insert(pickup_slots).values(store_id=store_id, starts_at=slot.starts_at).on_conflict_do_nothing()
    )
    taken = await conn.execute(
        _TAKE, {"store_id": store_id, "starts_at": slot.starts_at, "capacity": slot.capacity}
    )
    return taken.first() is not None


async def keep_booking(conn: AsyncConnection, order_id: str, store_id: str, slot: Slot) -> None:
    statement = insert(pickup_slot_bookings).values(
        order_id=order_id, store_id=store_id, starts_at=slot.starts_at, ends_at=slot.ends_at
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[pickup_slot_bookings.c.order_id],
            set_={
                "store_id": store_id,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "booked_at": func.now(),
            },
        )
    )


async def release(conn: AsyncConnection, order_id: str) -> Slot | None:
    """The order's place given back and its booking removed; None when it had none (a repeat)."""
    row = (
        await conn.execute(
            pickup_slot_bookings.delete()
            .where(pickup_slot_bookings.c.order_id == order_id)
            .returning(
                pickup_slot_bookings.c.store_id,
                pickup_slot_bookings.c.starts_at,
                pickup_slot_bookings.c.ends_at,
            )
        )
    ).first()
    if row is None:
        return None
    await free_place(conn, row.store_id, row.starts_at)
    return Slot(starts_at=row.starts_at, ends_at=row.ends_at, capacity=0)


async def free_place(conn: AsyncConnection, store_id: str, starts_at: datetime) -> None:
    await conn.execute(
        pickup_slots.update()
        .where(pickup_slots.c.store_id == store_id, pickup_slots.c.starts_at == starts_at)
        .values(booked=func.greatest(pickup_slots.c.booked - 1, 0))
    )
