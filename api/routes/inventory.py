"""The store stock feed, replenishment alerts, the ledger and rejected events."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy import select

from adapters.db import inventory
from adapters.db.inventory import Alert
from adapters.db.tables import stock_movements
from api.access import authorize
from api.deps import ClientDep, ConnectionDep, EngineDep
from api.errors import not_found
from services.stock_feed import FeedAnswer, receive

router = APIRouter(prefix="/v1/inventory", tags=["inventory"], dependencies=[Depends(authorize)])

_EXAMPLE = [
    {
        "event_id": "pos-paris-000123",
        "store_id": "paris-rivoli",
        "sku": "TENT-2P",
        "type": "sale",
        "quantity": 1,
        "occurred_at": "2026-11-23T10:15:00+01:00",
    },
    {
        "event_id": "erp-count-77",
        "store_id": "paris-rivoli",
        "sku": "HEADLAMP-300",
        "type": "count",
        "quantity": 38,
        "occurred_at": "2026-11-23T08:00:00+01:00",
        "reason": "cycle count",
    },
]


@router.post("/events", response_model=FeedAnswer)
async def post_events(
    client: ClientDep,
    engine: EngineDep,
    events: list[Any] = Body(..., max_length=1000, examples=[_EXAMPLE]),  # noqa: B008
) -> FeedAnswer:
    """A batch from a store's system: sale, return, receipt, adjustment (relative) and count (absolute,
    as of when counted). Each event applies once by its id; invalid ones are rejected one by one and
    kept, the valid ones applied. Orders whose reservation the shelf no longer covers are signalled."""
    return await receive(client, engine, events)


@router.get("/alerts", response_model=list[Alert])
async def list_alerts(
    conn: ConnectionDep, store_id: str | None = None, open_only: bool = True
) -> list[Alert]:
    """Replenishment alerts: free stock at or below the safety stock."""
    return await inventory.alerts(conn, store_id, open_only=open_only)


@router.get("/rejections")
async def list_rejections(
    conn: ConnectionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict]:
    """Rejected feed events with their reasons, newest first."""
    return await inventory.rejections(conn, limit)


@router.get("/ledger/{store_id}/{sku}")
async def ledger(
    store_id: str, sku: str, conn: ConnectionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict]:
    """Every movement of one store's SKU, newest first: what explains its levels."""
    rows = (
        await conn.execute(
            select(stock_movements)
            .where(stock_movements.c.store_id == store_id, stock_movements.c.sku == sku)
            .order_by(stock_movements.c.id.desc())
            .limit(limit)
        )
    ).all()
    if not rows:
        raise not_found("stock", f"{store_id}/{sku}")
    return [dict(row._mapping) for row in rows]
