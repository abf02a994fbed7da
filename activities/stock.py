"""Stock database adapter: reserve, release and commit an order's units, each idempotent by order id."""

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from adapters.db import stock
from domain import ids
from services.signals import OrderSignals
from services.stock_review import review_stock
from workflows.activities import StockSteps
from workflows.contracts import PartialRelease, ReservationOutcome, ReservationRequest, StockWriteOff


class StockActivities(StockSteps):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._signals = OrderSignals(activity.client)  # the running activity's client, when needed

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

    async def _review(self, store_id: str, skus: list[str], aware: str | None = None) -> None:
        """Stock moved: the same review as the store feed's (alerts, orders put at risk and told)."""
        await review_stock(self._engine, self._signals, [(store_id, sku) for sku in skus], aware=aware)

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
        """A short pick's missing units leave on hand, with the store's reason; the orders the shelf no
        longer covers are told (not the order that reported them: it is dealing with it)."""
        units = {line.sku: (line.missing, line.reason.value) for line in write_off.lines}
        async with self._engine.begin() as conn:
            written = await stock.write_off(conn, write_off.store_id, write_off.holder_id, units)
        # A retry reviews again: the attempt before may have written the units off, then failed to tell.
        if written or activity.info().attempt > 1:
            await self._review(write_off.store_id, list(units), aware=write_off.holder_id)
        return written

    @activity.defn(name=ids.ACTIVITY_COMMIT_STOCK)
    async def commit(self, order_id: str) -> int:
        async with self._engine.begin() as conn:
            return await stock.commit(conn, order_id)
