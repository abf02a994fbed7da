"""Applying store stock events and telling the orders they put at risk."""

import logging
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from adapters.db import database_now, inventory, stock
from adapters.db.inventory import Alert, EventResult, Rejection
from domain import ids
from domain.stock import InventoryEvent
from domain.values import StockAtRisk

log = logging.getLogger("oms.inventory")


class AtRiskOrder(BaseModel):
    order_id: str
    risk: StockAtRisk


class FeedAnswer(BaseModel):
    applied: list[EventResult]
    rejected: list[Rejection]
    at_risk: list[AtRiskOrder]
    alerts: list[Alert]


def _reasons(error: ValidationError) -> list[str]:
    return [
        ".".join(str(part) for part in e["loc"]) + f": {e['msg']}" if e["loc"] else e["msg"]
        for e in error.errors()
    ]


async def receive(client: Client, engine: AsyncEngine, raw_events: list[Any]) -> FeedAnswer:
    """Apply the valid events of a batch (each once), keep the invalid ones with their reasons, then
    signal every order whose reservation the shelf no longer covers."""
    answer = FeedAnswer(applied=[], rejected=[], at_risk=[], alerts=[])
    touched: set[tuple[str, str]] = set()
    async with engine.begin() as conn:
        for index, raw in enumerate(raw_events):
            event_id = raw.get("event_id") if isinstance(raw, dict) else None
            try:
                event = InventoryEvent.model_validate(raw)
            except ValidationError as error:
                reasons = _reasons(error)
            else:
                reasons = await _unknown_references(conn, event)
            if reasons:
                await inventory.reject(conn, raw, event_id if isinstance(event_id, str) else None, reasons)
                answer.rejected.append(Rejection(index=index, event_id=event_id, reasons=reasons))
                continue
            async with conn.begin_nested():
                result = await inventory.apply_event(conn, event)
            answer.applied.append(result)
            if result.status == "applied":
                touched.add((event.store_id, event.sku))
        now = await database_now(conn)
        for store_id, sku in sorted(touched):
            review = await inventory.review(conn, store_id, sku, now)
            answer.at_risk += [
                AtRiskOrder(order_id=ids.order_of_holder(holder), risk=risk)
                for holder, risk in review.at_risk
            ]
            answer.alerts += [review.alert] if review.alert else []
    for entry in answer.at_risk:
        await signal_at_risk(client, entry)
    return answer


async def _unknown_references(conn, event: InventoryEvent) -> list[str]:  # type: ignore[no-untyped-def]
    reasons = []
    if not await stock.store_exists(conn, event.store_id):
        reasons.append(f"store_id: unknown store {event.store_id!r}")
    if not await stock.known_skus(conn, [event.sku]):
        reasons.append(f"sku: unknown sku {event.sku!r}")
    return reasons


async def signal_at_risk(client: Client, entry: AtRiskOrder) -> None:
    """Tell the order's workflow; the reservation stays flagged in the database whatever happens here."""
    if not entry.order_id.startswith("order-"):
        return  # a checkout hold: it expires by itself
    try:
        await client.get_workflow_handle(entry.order_id).signal(ids.SIGNAL_STOCK_AT_RISK, entry.risk)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        log.info("order %s has ended; nothing to signal", entry.order_id)


def count_event(store_id: str, sku: str, on_hand: int, at: datetime) -> dict[str, Any]:
    """An absolute count from the store's system, as a feed event taken now."""
    return {
        "event_id": f"count-{uuid.uuid4().hex}",
        "store_id": store_id,
        "sku": sku,
        "type": "count",
        "quantity": on_hand,
        "occurred_at": at.isoformat(),
        "reason": "count from the store's system",
    }
