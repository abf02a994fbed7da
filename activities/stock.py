"""Stock database adapter: reserve, release and commit an order's units, each idempotent by order id."""

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from adapters.db import database_now, inventory, stock
from domain import ids
from workflows.activities import StockSteps
from workflows.contracts import PartialRelease, ReservationOutcome, ReservationRequest, StockWriteOff


class StockActivities(StockSteps):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=ids.ACTIVITY_RESERVE_STOCK)
    async def reserve(self, request: ReservationRequest) -> ReservationOutcome:
        async with self._engine.begin() as conn:
            outcome = await stock.reserve(conn, request)
        if outcome.reserved:
            await self._review(request.store_id, [line.sku for line in request.lines])
        return outcome

    @activity.defn(name=ids.ACTIVITY_RELEASE_STOCK)
    async def release(self, order_id: str) -> int:
        async with self._engine.begin() as conn:
            store_id, skus = await stock.holding(conn, order_id)
            released = await stock.release(conn, order_id)
        if released and store_id:
            await self._review(store_id, skus)
        return released

    async def _review(self, store_id: str, skus: list[str]) -> None:
        """Raise or clear replenishment alerts after free stock moved (its own short transaction)."""
        async with self._engine.begin() as conn:
            now = await database_now(conn)
            for sku in sorted(skus):
                await inventory.review(conn, store_id, sku, now)

    @activity.defn(name=ids.ACTIVITY_RELEASE_LINES)
    async def release_lines(self, release: PartialRelease) -> int:
        async with self._engine.begin() as conn:
            store_id, _ = await stock.holding(conn, release.holder_id)
            released = await stock.release_part(
                conn, release.holder_id, release.quantities, reason=release.reason, tag=release.tag
            )
        if released and store_id:
            await self._review(store_id, list(release.quantities))
        return released

    @activity.defn(name=ids.ACTIVITY_WRITE_OFF_STOCK)
    async def write_off(self, write_off: StockWriteOff) -> int:
        """A short pick's missing units leave on hand, with the store's reason."""
        units = {line.sku: (line.missing, line.reason.value) for line in write_off.lines}
        async with self._engine.begin() as conn:
            written = await stock.write_off(conn, write_off.store_id, write_off.holder_id, units)
        if written:
            await self._review(write_off.store_id, list(units))
        return written

    @activity.defn(name=ids.ACTIVITY_COMMIT_STOCK)
    async def commit(self, order_id: str) -> int:
        async with self._engine.begin() as conn:
            return await stock.commit(conn, order_id)
