"""After stock moved, whatever moved it (the store feed, a count, a reservation, a release, a short pick's
write-off): flag the reservations the shelf no longer covers, raise or clear replenishment alerts, and
tell every order put at risk. One path, so an order flagged is an order told."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db import database_now, inventory
from adapters.db.inventory import Alert, HeldUnits
from domain import ids
from domain.stock import holders_at_risk
from domain.values import StockAtRisk
from services.replenishment import review_alert
from services.signals import StockSignals


class AtRiskOrder(BaseModel):
    """A reservation newly hit by a shortfall: its holder, the order it belongs to, and the risk."""

    holder_id: str
    order_id: str
    risk: StockAtRisk


@dataclass
class StockReview:
    at_risk: list[AtRiskOrder] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)


async def review_stock(
    engine: AsyncEngine,
    signals: StockSignals,
    rows: Iterable[tuple[str, str]],
    *,
    aware: str | None = None,
) -> StockReview:
    """Review the (store, SKU) rows whose stock moved and tell the orders newly at risk; `aware` is a
    holder that already knows (the order whose short pick wrote the units off)."""
    async with engine.begin() as conn:
        return await review_moved(conn, signals, rows, aware=aware)


async def review_moved(
    conn: AsyncConnection,
    signals: StockSignals,
    rows: Iterable[tuple[str, str]],
    *,
    aware: str | None = None,
) -> StockReview:
    """The same review, in the transaction that moved the stock (an order's step)."""
    review = StockReview()
    for store_id, sku in sorted(set(rows)):  # rows locked in key order, as everywhere
        at_risk, alert = await _review_row(conn, store_id, sku)
        review.at_risk += at_risk
        review.alerts += [alert] if alert else []
    # Told before the flags commit: a failed signal rolls the flags back, so a retry (an activity's,
    # a resent feed batch) finds those orders unflagged and tells them again. An order ignores a
    # second signal for the same SKU.
    for entry in to_tell(review.at_risk, aware):
        await signals.stock_at_risk(entry.order_id, entry.risk)
    return review


def to_tell(at_risk: list[AtRiskOrder], aware: str | None = None) -> list[AtRiskOrder]:
    """The orders to signal: checkout holds expire by themselves, and `aware` already knows."""
    return [e for e in at_risk if e.order_id.startswith("order-") and e.holder_id != aware]


def newly_at_risk(short_by: int, held_newest_first: list[HeldUnits]) -> list[str]:
    """The holders a shortfall hits (newest first, until it is covered) that were not flagged before."""
    hit = holders_at_risk(short_by, [(entry.holder_id, entry.quantity) for entry in held_newest_first])
    flagged = {entry.holder_id for entry in held_newest_first if entry.at_risk}
    return [holder for holder in hit if holder not in flagged]


async def _review_row(
    conn: AsyncConnection, store_id: str, sku: str
) -> tuple[list[AtRiskOrder], Alert | None]:
    locked = await inventory.lock_for_review(conn, store_id, sku)
    if locked is None:
        return [], None
    level, alert_open = locked
    at_risk: list[AtRiskOrder] = []
    if level.short_by:
        newly = newly_at_risk(level.short_by, await inventory.active_reservations(conn, store_id, sku))
        await inventory.flag_at_risk(conn, sku, newly)
        at = await database_now(conn)  # the database's clock, asked only when a shortfall is found
        risk = StockAtRisk(store_id=store_id, sku=sku, short_by=level.short_by, detected_at=at)
        at_risk = [
            AtRiskOrder(holder_id=holder, order_id=ids.order_of_holder(holder), risk=risk) for holder in newly
        ]
    return at_risk, await review_alert(conn, level, alert_open=alert_open)
