"""Stock levels, the stock ledger and reservations.

Every change to on hand or reserved is a `stock_movements` entry with an idempotency key, applied to
`stock_levels` in the same transaction: levels are always the sum of the ledger (`check_ledger`).
Rows are locked in SKU order (`SELECT … FOR UPDATE`), the order `oms_reserve` locks them in too.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import products, reservations, stock_levels, stock_movements, stores
from domain.stock import Movement, MovementKind, StockLevel, shortages
from workflows.contracts import ReservationOutcome, ReservationRequest

ACTIVE, RELEASED, COMMITTED = "active", "released", "committed"
_RESERVE = text(
    "SELECT oms_reserve(:holder, :store, CAST(:skus AS text[]), CAST(:quantities AS int[]), :expires_at, "
    ":source, :from_hold)"
)


async def reserve(
    conn: AsyncConnection,
    request: ReservationRequest,
    *,
    expires_at: datetime | None = None,
    source: str = "order intake",
) -> ReservationOutcome:
    """Reserve every line or none, in one round trip; a repeat for the same holder answers the same."""
    lines = sorted(request.lines, key=lambda line: line.sku)
    answer = await conn.scalar(
        _RESERVE,
        {
            "holder": request.order_id,
            "store": request.store_id,
            "skus": [line.sku for line in lines],
            "quantities": [line.quantity for line in lines],
            "expires_at": expires_at,
            "source": source,
            "from_hold": request.from_hold,
        },
    )
    if answer["reserved"]:
        return ReservationOutcome(reserved=True)
    return ReservationOutcome(reserved=False, missing=shortages(request.lines, answer["levels"]))


# Built once (docs/performance.md): every step that moves stock runs these. A key's parameters are
# named apart from the columns an UPDATE sets.
_APPEND_MOVEMENTS = (
    insert(stock_movements)
    .on_conflict_do_nothing(index_elements=[stock_movements.c.idempotency_key])
    .returning(stock_movements.c.idempotency_key)
)
_MOVE_LEVEL = (
    update(stock_levels)
    .where(stock_levels.c.store_id == bindparam("key_store"), stock_levels.c.sku == bindparam("key_sku"))
    .values(
        on_hand=stock_levels.c.on_hand + bindparam("on_hand_delta"),
        reserved=stock_levels.c.reserved + bindparam("reserved_delta"),
        updated_at=func.now(),
    )
)
_LOCK_LEVELS = (
    select(stock_levels)
    .where(
        stock_levels.c.store_id == bindparam("store_id"),
        stock_levels.c.sku.in_(bindparam("skus", expanding=True)),
    )
    .order_by(stock_levels.c.sku)
    .with_for_update()
)
_HELD = select(reservations.c.store_id, reservations.c.sku).where(
    reservations.c.order_id == bindparam("holder"), reservations.c.state == ACTIVE
)
_SETTLE_HELD = (
    update(reservations)
    .where(reservations.c.order_id == bindparam("holder"), reservations.c.state == ACTIVE)
    .values(state=bindparam("settled"), updated_at=func.now())
    .returning(reservations.c.sku, reservations.c.quantity, func.now().label("now"))
)


async def record(conn: AsyncConnection, movements: list[Movement]) -> list[Movement]:
    """Append the movements not yet in the ledger and apply them to the levels; returns those applied."""
    if not movements:
        return []
    rows = [
        {
            "store_id": m.store_id,
            "sku": m.sku,
            "kind": m.kind.value,
            "on_hand_delta": m.on_hand_delta,
            "reserved_delta": m.reserved_delta,
            "holder_id": m.holder_id,
            "reason": m.reason,
            "source": m.source,
            "idempotency_key": m.key,
            "occurred_at": m.occurred_at,
        }
        for m in movements
    ]
    keys = set(await conn.scalars(_APPEND_MOVEMENTS, rows))
    applied = [m for m in movements if m.key in keys]
    for m in applied:
        # UPDATE first: an upsert's proposed row would trip the CHECK constraints on negative deltas.
        moved = await conn.execute(
            _MOVE_LEVEL,
            {
                "key_store": m.store_id,
                "key_sku": m.sku,
                "on_hand_delta": m.on_hand_delta,
                "reserved_delta": m.reserved_delta,
            },
        )
        if moved.rowcount == 0:
            await conn.execute(
                insert(stock_levels).values(
                    store_id=m.store_id, sku=m.sku, on_hand=m.on_hand_delta, reserved=m.reserved_delta
                )
            )
    return applied


async def lock_levels(conn: AsyncConnection, store_id: str, skus: list[str]) -> dict[str, StockLevel]:
    """Lock the rows (in SKU order) and return their levels; missing rows are absent."""
    rows = await conn.execute(_LOCK_LEVELS, {"store_id": store_id, "skus": sorted(set(skus))})
    return {row.sku: level_of(row) for row in rows}


async def _settle(conn: AsyncConnection, holder_id: str, kind: MovementKind, reason: str) -> int:
    """Release or commit a holder's active reservations; a repeat settles nothing more."""
    held = (await conn.execute(_HELD, {"holder": holder_id})).all()
    if not held:
        return 0
    store_id = held[0].store_id
    levels = await lock_levels(conn, store_id, [row.sku for row in held])
    settled = RELEASED if kind is MovementKind.RELEASE else COMMITTED
    rows = (await conn.execute(_SETTLE_HELD, {"holder": holder_id, "settled": settled})).all()
    movements = []
    for row in sorted(rows, key=lambda r: r.sku):
        on_hand = levels[row.sku].on_hand if row.sku in levels else 0
        movements.append(
            Movement(
                store_id=store_id,
                sku=row.sku,
                kind=kind,
                reserved_delta=-row.quantity,
                # The customer took the goods; a count may already have taken them off on hand.
                on_hand_delta=-min(row.quantity, on_hand) if kind is MovementKind.COMMIT else 0,
                reason=reason,
                source="order workflow",
                key=f"{kind.value}:{holder_id}:{row.sku}",
                occurred_at=row.now,  # the transaction's time, as now() answers it
                holder_id=holder_id,
            )
        )
    await record(conn, movements)
    return len(movements)


async def holding(conn: AsyncConnection, holder_id: str) -> tuple[str | None, list[str]]:
    """The store and SKUs a holder has active reservations on."""
    rows = (await conn.execute(_HELD, {"holder": holder_id})).all()
    return (rows[0].store_id if rows else None), [row.sku for row in rows]


class HeldLine(BaseModel):
    """One line of a holder's reservation, as recorded."""

    store_id: str
    sku: str
    quantity: int
    state: str
    expires_at: datetime | None


async def reservation_of(conn: AsyncConnection, holder_id: str) -> list[HeldLine]:
    """Every line a holder reserved, whatever its state."""
    rows = await conn.execute(
        select(
            reservations.c.store_id,
            reservations.c.sku,
            reservations.c.quantity,
            reservations.c.state,
            reservations.c.expires_at,
        ).where(reservations.c.order_id == holder_id)
    )
    return [HeldLine.model_validate(row, from_attributes=True) for row in rows]


async def release(conn: AsyncConnection, holder_id: str, reason: str = "order ended") -> int:
    """Put a holder's reserved units back on sale."""
    return await _settle(conn, holder_id, MovementKind.RELEASE, reason)


async def commit(conn: AsyncConnection, holder_id: str) -> int:
    """The customer took the goods: reserved units leave the store."""
    return await _settle(conn, holder_id, MovementKind.COMMIT, "collected by the customer")


async def release_part(
    conn: AsyncConnection, holder_id: str, quantities: dict[str, int], *, reason: str, tag: str
) -> int:
    """Put part of a holder's reservation back on sale (lines the customer will not take); the rest
    stays reserved. Idempotent by `tag`: a repeat releases nothing more."""
    held = {
        row.sku: row
        for row in await conn.execute(
            select(reservations.c.store_id, reservations.c.sku, reservations.c.quantity).where(
                reservations.c.order_id == holder_id,
                reservations.c.state == ACTIVE,
                reservations.c.sku.in_(sorted(quantities)),
            )
        )
    }
    if not held:
        return 0
    store_id = next(iter(held.values())).store_id
    await lock_levels(conn, store_id, list(held))
    now = await conn.scalar(select(func.now()))
    movements = [
        Movement(
            store_id=store_id,
            sku=sku,
            kind=MovementKind.RELEASE,
            reserved_delta=-min(quantities[sku], held[sku].quantity),
            reason=reason,
            source="order workflow",
            key=f"release:{holder_id}:{sku}:{tag}",
            occurred_at=now,
            holder_id=holder_id,
        )
        for sku in sorted(held)
        if quantities[sku] > 0
    ]
    for movement in await record(conn, movements):
        row = held[movement.sku]
        left = row.quantity + movement.reserved_delta
        await conn.execute(
            update(reservations)
            .where(reservations.c.order_id == holder_id, reservations.c.sku == movement.sku)
            .values(
                quantity=left if left > 0 else row.quantity,
                state=ACTIVE if left > 0 else RELEASED,
                updated_at=func.now(),
            )
        )
    return len(movements)


async def write_off(
    conn: AsyncConnection, store_id: str, holder_id: str, units: dict[str, tuple[int, str]]
) -> int:
    """A short pick found units missing or unsellable: take them off on hand (never below zero), with the
    store's reason. Idempotent per order and SKU."""
    levels = await lock_levels(conn, store_id, list(units))
    now = await conn.scalar(select(func.now()))
    movements = [
        Movement(
            store_id=store_id,
            sku=sku,
            kind=MovementKind.CORRECTION,
            on_hand_delta=-min(missing, levels[sku].on_hand),
            reason=f"short pick: {reason}",
            source=f"store {store_id}",
            key=f"short-pick:{holder_id}:{sku}",
            occurred_at=now,
            holder_id=holder_id,
        )
        for sku, (missing, reason) in sorted(units.items())
        if sku in levels
    ]
    return len(await record(conn, movements))


async def level(conn: AsyncConnection, store_id: str, sku: str) -> StockLevel | None:
    row = (
        await conn.execute(
            select(stock_levels).where(stock_levels.c.store_id == store_id, stock_levels.c.sku == sku)
        )
    ).first()
    return None if row is None else level_of(row)


def level_of(row) -> StockLevel:  # type: ignore[no-untyped-def]
    """A stock_levels row (or a select of its columns) as the domain reads it."""
    return StockLevel(
        store_id=row.store_id,
        sku=row.sku,
        on_hand=row.on_hand,
        reserved=row.reserved,
        safety_stock=row.safety_stock,
    )


async def set_safety_stock(conn: AsyncConnection, store_id: str, sku: str, safety_stock: int) -> None:
    await conn.execute(
        update(stock_levels)
        .where(stock_levels.c.store_id == store_id, stock_levels.c.sku == sku)
        .values(safety_stock=safety_stock, updated_at=func.now())
    )


async def known_skus(conn: AsyncConnection, skus: list[str]) -> set[str]:
    rows = await conn.execute(select(products.c.sku).where(products.c.sku.in_(skus)))
    return {row.sku for row in rows}


async def store_exists(conn: AsyncConnection, store_id: str) -> bool:
    return bool(await conn.scalar(select(func.count()).select_from(stores).where(stores.c.id == store_id)))


async def store_country(conn: AsyncConnection, store_id: str) -> str | None:
    """The store's country (ISO 3166-1 alpha-2), to read its customers' local phone numbers."""
    return await conn.scalar(select(stores.c.country).where(stores.c.id == store_id))


async def movements(conn: AsyncConnection, store_id: str, sku: str, limit: int) -> list[dict[str, Any]]:
    """A row's ledger entries, newest first, as stored."""
    rows = await conn.execute(
        select(stock_movements)
        .where(stock_movements.c.store_id == store_id, stock_movements.c.sku == sku)
        .order_by(stock_movements.c.id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]


class LedgerDrift(BaseModel):
    store_id: str
    sku: str
    on_hand: int
    reserved: int
    ledger_on_hand: int
    ledger_reserved: int


async def check_ledger(conn: AsyncConnection) -> list[LedgerDrift]:
    """Rows whose levels differ from the sum of their ledger entries (empty when all agree)."""
    sums = (
        select(
            stock_movements.c.store_id,
            stock_movements.c.sku,
            func.sum(stock_movements.c.on_hand_delta).label("on_hand"),
            func.sum(stock_movements.c.reserved_delta).label("reserved"),
        )
        .group_by(stock_movements.c.store_id, stock_movements.c.sku)
        .subquery()
    )
    joined = stock_levels.outerjoin(
        sums, and_(sums.c.store_id == stock_levels.c.store_id, sums.c.sku == stock_levels.c.sku)
    )
    rows = await conn.execute(
        select(
            stock_levels.c.store_id,
            stock_levels.c.sku,
            stock_levels.c.on_hand,
            stock_levels.c.reserved,
            func.coalesce(sums.c.on_hand, 0).label("ledger_on_hand"),
            func.coalesce(sums.c.reserved, 0).label("ledger_reserved"),
        )
        .select_from(joined)
        .where(
            (stock_levels.c.on_hand != func.coalesce(sums.c.on_hand, 0))
            | (stock_levels.c.reserved != func.coalesce(sums.c.reserved, 0))
        )
    )
    return [LedgerDrift.model_validate(row, from_attributes=True) for row in rows]
