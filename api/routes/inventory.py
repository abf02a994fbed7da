"""The store stock feed, replenishment alerts, the ledger and rejected events."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from api.access import GrantDep, authorize
from api.deps import ConnectionDep, EngineDep, SettingsDep, SignalsDep
from api.schemas import AlertPublic, FeedPublic
from services import replenishment, stock, stock_feed

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


@router.post("/events", response_model=FeedPublic)
async def post_events(
    engine: EngineDep,
    signals: SignalsDep,
    settings: SettingsDep,
    events: list[Any] = Body(..., max_length=1000, examples=[_EXAMPLE]),  # noqa: B008
) -> FeedPublic:
    """A batch from a store's system: sale, return, receipt, adjustment (relative) and count (absolute,
    as of when counted). Each event applies once by its id; invalid ones are rejected one by one and
    kept, the valid ones applied; an event dated beyond OMS_STOCK_FEED_SKEW ahead or OMS_STOCK_FEED_MAX_AGE
    ago is rejected, a count older than one already applied is `superseded`. Orders whose reservation
    the shelf no longer covers are signalled."""
    return FeedPublic.of(await stock_feed.receive(engine, signals, events, settings.feed_window()))


@router.get("/alerts", response_model=list[AlertPublic])
async def list_alerts(
    conn: ConnectionDep, grant: GrantDep, store_id: str | None = None, open_only: bool = True
) -> list[AlertPublic]:
    """Replenishment alerts: free stock at or below the safety stock (a store's key: its own store's)."""
    found = await replenishment.alerts(conn, grant, store_id, open_only=open_only)
    return [AlertPublic.of(alert) for alert in found]


@router.get("/rejections")
async def list_rejections(
    conn: ConnectionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    """Rejected feed events with their reasons, newest first."""
    return await stock_feed.rejections(conn, limit)


@router.get("/ledger/{store_id}/{sku}")
async def ledger(
    store_id: str, sku: str, conn: ConnectionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    """Every movement of one store's SKU, newest first: what explains its levels."""
    return await stock.ledger(conn, store_id, sku, limit)
