"""Store directory adapter for routing: the candidates and their facts (stock, load); the choice is pure."""

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from adapters.db import routing
from domain import ids
from domain.decisions import RoutingCandidate
from workflows.activities import RoutingSteps
from workflows.contracts import StoreSearch


class RoutingActivities(RoutingSteps):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=ids.ACTIVITY_FIND_STORES)
    async def find_stores(self, search: StoreSearch) -> list[RoutingCandidate]:
        async with self._engine.connect() as conn:
            return await routing.candidates(conn, search.skus, near=search.near, radius_km=search.radius_km)
