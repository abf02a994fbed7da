"""Return activities: the store's stock ledger, the payments ledger and the returns read model, each
idempotent by the return's id (ledger keys, the refund's key, the timeline position)."""

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from activities.refusals import failing_for_good
from adapters.db import payments, return_stock, returns
from domain import ids
from workflows.activities import ReturnSteps
from workflows.return_contracts import ReturnProgress, ReturnRefund, ReturnStock


class ReturnActivities(ReturnSteps):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=ids.ACTIVITY_RESTOCK_RETURN)
    async def restock(self, stock: ReturnStock) -> int:
        with failing_for_good():
            async with self._engine.begin() as conn:
                return await return_stock.take_back(conn, stock)

    @activity.defn(name=ids.ACTIVITY_REFUND_RETURN)
    async def refund(self, refund: ReturnRefund) -> Decimal:
        """The amount refunded for this return, by this call or an earlier one."""
        with failing_for_good():
            async with self._engine.begin() as conn:
                return await payments.refund_return(
                    conn, refund.order_id, refund.return_id, refund.amount, refund.currency
                )

    @activity.defn(name=ids.ACTIVITY_RECORD_RETURN)
    async def record(self, progress: ReturnProgress) -> None:
        with failing_for_good():
            async with self._engine.begin() as conn:
                await returns.record_progress(conn, progress)
