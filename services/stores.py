"""The store directory, whether a store takes orders, and its queue of orders."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db import orders, routing
from adapters.db.orders import QueueKey, QueuePage
from domain.status import OrderStatus
from domain.values import StoreProfile
from services.errors import NotFound

QUEUE_PAGE, QUEUE_PAGE_MAX = 200, 500  # orders in a page of a store's queue: by default, at most


async def list_stores(conn: AsyncConnection) -> list[StoreProfile]:
    return await orders.list_stores(conn)


async def get_store(conn: AsyncConnection, store_id: str) -> StoreProfile:
    store = await orders.get_store(conn, store_id)
    if store is None:
        raise NotFound("store", store_id)
    return store


async def set_routing(engine: AsyncEngine, store_id: str, changes: dict[str, Any]) -> StoreProfile:
    """Open, close or freeze a store for new orders, or set its capacity; fields not given stay."""
    async with engine.begin() as conn:
        if not await routing.set_routing(conn, store_id, changes):
            raise NotFound("store", store_id)
        return await get_store(conn, store_id)


async def store_queue(
    conn: AsyncConnection,
    store_id: str,
    status: OrderStatus | None,
    at_risk: bool | None,
    *,
    after: QueueKey | None = None,
    limit: int = QUEUE_PAGE,
) -> QueuePage:
    """The store's orders, oldest first, optionally only those in one status or with stock at risk;
    `limit` of them after `after` (a page), with where the next page starts."""
    await get_store(conn, store_id)
    return await orders.store_queue(conn, store_id, status, at_risk=at_risk, after=after, limit=limit)
