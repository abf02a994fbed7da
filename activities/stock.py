"""Stock database adapter: reserve, release and commit an order's units, each idempotent by order id."""

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from domain import ids
from domain.models import ReservationOutcome, ReservationRequest
from oms.db import stock


class StockActivities:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=ids.ACTIVITY_RESERVE_STOCK)
    async def reserve(self, request: ReservationRequest) -> ReservationOutcome:
        async with self._engine.begin() as conn:
            return await stock.reserve(conn, request)

    @activity.defn(name=ids.ACTIVITY_RELEASE_STOCK)
    async def release(self, order_id: str) -> int:
        async with self._engine.begin() as conn:
            return await stock.release(conn, order_id)

    @activity.defn(name=ids.ACTIVITY_COMMIT_STOCK)
    async def commit(self, order_id: str) -> int:
        async with self._engine.begin() as conn:
            return await stock.commit(conn, order_id)
