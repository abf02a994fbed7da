"""Order database adapter: the store directory and the orders read model."""

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.db import orders, support
from domain import ids
from domain.order_state import OrderView
from domain.values import StoreProfile
from workflows.activities import OrderRecordSteps
from workflows.contracts import SupportAlert


class OrderRecordActivities(OrderRecordSteps):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=ids.ACTIVITY_LOAD_STORE)
    async def load_store(self, store_id: str) -> StoreProfile:
        async with self._engine.connect() as conn:
            store = await orders.get_store(conn, store_id)
        if store is None:
            raise ApplicationError(f"unknown store {store_id}", type="UnknownStore", non_retryable=True)
        return store

    @activity.defn(name=ids.ACTIVITY_RAISE_SUPPORT_ALERT)
    async def raise_support_alert(self, alert: SupportAlert) -> None:
        async with self._engine.begin() as conn:
            await support.raise_alert(conn, alert)

    @activity.defn(name=ids.ACTIVITY_RESOLVE_SUPPORT_ALERT)
    async def resolve_support_alert(self, alert: SupportAlert) -> None:
        async with self._engine.begin() as conn:
            await support.resolve(conn, alert.order_id, alert.kind)

    @activity.defn(name=ids.ACTIVITY_RECORD_ORDER)
    async def record(self, view: OrderView) -> None:
        async with self._engine.begin() as conn:
            await orders.record(conn, view)
