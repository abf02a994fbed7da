"""Stock levels and reservations: all lines of an order in one transaction, rows locked in SKU order."""

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.models import ReservationOutcome, ReservationRequest
from domain.stock import StockLevel, shortages
from oms.db.tables import products, reservations, stock_levels, stores

ACTIVE, RELEASED, COMMITTED = "active", "released", "committed"


async def reserve(conn: AsyncConnection, request: ReservationRequest) -> ReservationOutcome:
    """Reserve every line or none. A repeat for the same order returns the first answer."""
    existing = await conn.scalar(
        select(func.count()).select_from(reservations).where(reservations.c.order_id == request.order_id)
    )
    if existing:
        return ReservationOutcome(reserved=True)
    skus = sorted(line.sku for line in request.lines)
    # Lock in key order so concurrent orders on overlapping baskets cannot deadlock.
    rows = await conn.execute(
        select(stock_levels.c.sku, stock_levels.c.on_hand, stock_levels.c.reserved)
        .where(stock_levels.c.store_id == request.store_id, stock_levels.c.sku.in_(skus))
        .order_by(stock_levels.c.sku)
        .with_for_update()
    )
    available = {row.sku: max(row.on_hand - row.reserved, 0) for row in rows}
    missing = shortages(request.lines, available)
    if missing:
        return ReservationOutcome(reserved=False, missing=missing)
    for line in sorted(request.lines, key=lambda line: line.sku):
        await conn.execute(
            update(stock_levels)
            .where(stock_levels.c.store_id == request.store_id, stock_levels.c.sku == line.sku)
            .values(reserved=stock_levels.c.reserved + line.quantity, updated_at=func.now())
        )
    await conn.execute(
        insert(reservations),
        [
            {
                "order_id": request.order_id,
                "sku": line.sku,
                "store_id": request.store_id,
                "quantity": line.quantity,
                "state": ACTIVE,
            }
            for line in request.lines
        ],
    )
    return ReservationOutcome(reserved=True)


async def _settle(conn: AsyncConnection, order_id: str, new_state: str) -> int:
    """Move an order's active reservations to `new_state`; a committed unit also leaves on hand."""
    rows = (
        await conn.execute(
            select(reservations.c.sku, reservations.c.store_id, reservations.c.quantity)
            .where(reservations.c.order_id == order_id, reservations.c.state == ACTIVE)
            .order_by(reservations.c.sku)
            .with_for_update()
        )
    ).all()
    for row in rows:
        values = {"reserved": stock_levels.c.reserved - row.quantity, "updated_at": func.now()}
        if new_state == COMMITTED:
            # A count may have set on hand below what was reserved; the customer still took the goods.
            values["on_hand"] = func.greatest(stock_levels.c.on_hand - row.quantity, 0)
        await conn.execute(
            update(stock_levels)
            .where(stock_levels.c.store_id == row.store_id, stock_levels.c.sku == row.sku)
            .values(**values)
        )
    if rows:
        await conn.execute(
            update(reservations)
            .where(reservations.c.order_id == order_id, reservations.c.state == ACTIVE)
            .values(state=new_state, updated_at=func.now())
        )
    return len(rows)


async def release(conn: AsyncConnection, order_id: str) -> int:
    """Put an order's reserved units back on sale; a repeat releases nothing more."""
    return await _settle(conn, order_id, RELEASED)


async def commit(conn: AsyncConnection, order_id: str) -> int:
    """The customer took the goods: reserved units leave the store; a repeat commits nothing more."""
    return await _settle(conn, order_id, COMMITTED)


async def level(conn: AsyncConnection, store_id: str, sku: str) -> StockLevel | None:
    row = (
        await conn.execute(
            select(stock_levels).where(stock_levels.c.store_id == store_id, stock_levels.c.sku == sku)
        )
    ).first()
    if row is None:
        return None
    return StockLevel(store_id=row.store_id, sku=row.sku, on_hand=row.on_hand, reserved=row.reserved)


async def set_count(conn: AsyncConnection, store_id: str, sku: str, on_hand: int) -> StockLevel:
    """Record an absolute count from the store's system; reservations are kept as they are."""
    count = insert(stock_levels).values(store_id=store_id, sku=sku, on_hand=on_hand, reserved=0)
    statement = count.on_conflict_do_update(
        index_elements=[stock_levels.c.store_id, stock_levels.c.sku],
        set_={"on_hand": on_hand, "updated_at": func.now()},
    ).returning(stock_levels.c.store_id, stock_levels.c.sku, stock_levels.c.on_hand, stock_levels.c.reserved)
    row = (await conn.execute(statement)).one()
    return StockLevel(store_id=row.store_id, sku=row.sku, on_hand=row.on_hand, reserved=row.reserved)


async def known_skus(conn: AsyncConnection, skus: list[str]) -> set[str]:
    rows = await conn.execute(select(products.c.sku).where(products.c.sku.in_(skus)))
    return {row.sku for row in rows}


async def store_exists(conn: AsyncConnection, store_id: str) -> bool:
    return bool(await conn.scalar(select(func.count()).select_from(stores).where(stores.c.id == store_id)))
