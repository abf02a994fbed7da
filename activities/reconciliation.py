"""The nightly reconciliation, as an activity: one transaction, idempotent (a repeat finds nothing left
to release and raises no second alert for the night)."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from domain import ids
from domain.reconciliation import ReconciliationReport
from services.reconciliation import reconcile
from workflows.activities import ReconciliationSteps


class ReconciliationActivities(ReconciliationSteps):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=ids.ACTIVITY_RECONCILE)
    async def reconcile(self, checked_at: datetime) -> ReconciliationReport:
        return await reconcile(self._engine, checked_at)
