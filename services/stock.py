"""A store's stock of one SKU: its level, the count and safety stock the store sets, and its ledger."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db import database_now, stock
from domain.stock import FeedWindow, StockLevel
from services.errors import CountSuperseded, InvalidField, NotFound
from services.signals import StockSignals
from services.stock_feed import FeedOutcome, record_count
from services.stores import get_store


async def stock_level(conn: AsyncConnection, store_id: str, sku: str) -> StockLevel:
    await get_store(conn, store_id)
    level = await stock.level(conn, store_id, sku)
    if level is None:
        raise NotFound("stock", f"{store_id}/{sku}")
    return level


async def set_stock(
    engine: AsyncEngine,
    signals: StockSignals,
    store_id: str,
    sku: str,
    *,
    on_hand: int | None = None,
    safety_stock: int | None = None,
    window: FeedWindow | None = None,
) -> StockLevel:
    """The store's own count (on hand becomes this number, as a feed count taken now: orders it leaves
    uncovered are told) and/or its safety stock, which is never promised. A count that does not stand
    (refused, or older than a count already applied) refuses the request: the safety stock stays too."""
    async with engine.begin() as conn:
        await get_store(conn, store_id)
        if not await stock.known_skus(conn, [sku]):
            raise NotFound("sku", sku)
        now = await database_now(conn)
    if on_hand is not None:
        counted = await record_count(engine, signals, store_id, sku, on_hand, now, window)
        await _refuse_unless_counted(engine, store_id, sku, counted)
    async with engine.begin() as conn:
        if safety_stock is not None:
            await stock.set_safety_stock(conn, store_id, sku, safety_stock)
        return await stock_level(conn, store_id, sku)


async def _refuse_unless_counted(engine: AsyncEngine, store_id: str, sku: str, outcome: FeedOutcome) -> None:
    """A count that did not stand says so: refused (with its reasons) or superseded (by which count)."""
    if outcome.rejected:
        raise InvalidField(("on_hand",), "; ".join(outcome.rejected[0].reasons))
    [result] = outcome.applied
    if result.superseded_by is not None:
        async with engine.connect() as conn:
            level = await stock_level(conn, store_id, sku)
        raise CountSuperseded(result.superseded_by, level.on_hand)


async def ledger(conn: AsyncConnection, store_id: str, sku: str, limit: int) -> list[dict[str, Any]]:
    """Every movement of one store's SKU, newest first."""
    movements = await stock.movements(conn, store_id, sku, limit)
    if not movements:
        raise NotFound("stock", f"{store_id}/{sku}")
    return movements
