"""The store stock feed: events from a store's POS or ERP applied once each (invalid ones kept with their
reasons), then the rows they moved reviewed and the orders put at risk told (services/stock_review.py)."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db import database_now, inventory, stock
from adapters.db.inventory import Alert, EventResult, Rejection
from domain.stock import EventRefused, FeedWindow, InventoryEvent
from services.signals import StockSignals
from services.stock_review import AtRiskOrder, review_stock


class FeedOutcome(BaseModel):
    applied: list[EventResult]
    rejected: list[Rejection]
    at_risk: list[AtRiskOrder]
    alerts: list[Alert]


async def receive(
    engine: AsyncEngine, signals: StockSignals, raw_events: list[Any], window: FeedWindow | None = None
) -> FeedOutcome:
    """Apply the valid events of a batch (each once, each on its own: one that fails costs no other),
    keep the invalid ones with their reasons, then review every row an event names and signal each
    order whose reservation the shelf no longer covers. A repeated event's row is reviewed again: a
    batch resent after a failed signal tells the order."""
    window = window or FeedWindow()
    outcome = FeedOutcome(applied=[], rejected=[], at_risk=[], alerts=[])
    rows: set[tuple[str, str]] = set()
    async with engine.begin() as conn:
        now = await database_now(conn)
        for index, raw in enumerate(raw_events):
            event_id = raw.get("event_id") if isinstance(raw, dict) else None
            event_id = event_id if isinstance(event_id, str) else None
            taken = await _take(conn, raw, window, now)
            if isinstance(taken, list):
                await inventory.reject(conn, raw, event_id, taken)
                outcome.rejected.append(Rejection(index=index, event_id=event_id, reasons=taken))
                continue
            event, result = taken
            outcome.applied.append(result)
            rows.add((event.store_id, event.sku))
    review = await review_stock(engine, signals, rows)
    outcome.at_risk, outcome.alerts = review.at_risk, review.alerts
    return outcome


async def _take(
    conn: AsyncConnection, raw: Any, window: FeedWindow, now: datetime
) -> tuple[InventoryEvent, EventResult] | list[str]:
    """One event validated and applied in its own savepoint: the event and its result, or every reason
    it was refused."""
    try:
        event = InventoryEvent.model_validate(raw)
    except ValidationError as error:
        return _reasons(error)
    if reasons := await _unknown_references(conn, event):
        return reasons
    try:
        window.check(event.occurred_at, now)
        async with conn.begin_nested():
            result = await inventory.apply_event(conn, event, counts_until=now + window.ahead)
    except EventRefused as refusal:
        return [str(refusal)]
    except DBAPIError as error:  # a value the checks above missed: this event alone is refused
        return [f"the database refused the event ({type(error.orig).__name__})"]
    return event, result


async def record_count(
    engine: AsyncEngine,
    signals: StockSignals,
    store_id: str,
    sku: str,
    on_hand: int,
    at: datetime,
    window: FeedWindow | None = None,
) -> FeedOutcome:
    """An absolute count from the store's system, taken now: the same path as a feed count."""
    return await receive(engine, signals, [count_event(store_id, sku, on_hand, at)], window)


async def rejections(conn: AsyncConnection, limit: int) -> list[dict[str, Any]]:
    """Rejected events with their reasons, newest first."""
    return await inventory.rejections(conn, limit)


def _reasons(error: ValidationError) -> list[str]:
    return [
        ".".join(str(part) for part in e["loc"]) + f": {e['msg']}" if e["loc"] else e["msg"]
        for e in error.errors()
    ]


async def _unknown_references(conn: AsyncConnection, event: InventoryEvent) -> list[str]:
    reasons = []
    if not await stock.store_exists(conn, event.store_id):
        reasons.append(f"store_id: unknown store {event.store_id!r}")
    if not await stock.known_skus(conn, [event.sku]):
        reasons.append(f"sku: unknown sku {event.sku!r}")
    return reasons


def count_event(store_id: str, sku: str, on_hand: int, at: datetime) -> dict[str, Any]:
    """An absolute count from the store's system, as a feed event taken at `at`."""
    return {
        "event_id": f"count-{uuid.uuid4().hex}",
        "store_id": store_id,
        "sku": sku,
        "type": "count",
        "quantity": on_hand,
        "occurred_at": at.isoformat(),
        "reason": "count from the store's system",
    }
