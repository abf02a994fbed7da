"""The events' pump: drains one subscription's outbox for about a minute, then hands back to its workflow.
Idempotent: every attempt's outcome is written before the next one, and one pump per subscription runs
at a time (a lease on the subscription's row, renewed while it runs; it holds no connection meanwhile)."""

import asyncio
import contextlib
import time
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.event_sender import EventSender
from domain import ids
from domain.event_delivery import DeliveryPolicy
from services.order_events import claim_pump, deliver_due, release_pump, wait_before_next_pass
from workflows.activities import EventDeliverySteps

PUMP_FOR = timedelta(minutes=1)
IDLE = timedelta(seconds=1)  # how soon a new event is seen when nothing is due
LEASE = timedelta(seconds=45)  # a pump that died is replaced once its lease ran out
RENEW_EVERY = LEASE / 3


class EventDeliveryActivities(EventDeliverySteps):
    def __init__(
        self, engine: AsyncEngine, policy: DeliveryPolicy, sender: EventSender | None = None
    ) -> None:
        self._engine = engine
        self._policy = policy
        self._sender = sender

    @property
    def sender(self) -> EventSender:
        if self._sender is None:  # created on first use, never at import or wiring time
            self._sender = EventSender(self._policy.timeout)
        return self._sender

    @activity.defn(name=ids.ACTIVITY_PUMP_EVENTS)
    async def pump(self, subscription_id: str) -> bool:
        """True once the subscription is gone (its workflow ends)."""
        info = activity.info()
        owner = f"{info.workflow_run_id}/{info.activity_id}/{info.attempt}"
        claimed = await claim_pump(self._engine, subscription_id, owner, LEASE)
        if claimed is None:
            return True
        if not claimed:
            raise ApplicationError(f"another pump delivers {subscription_id}", type="PumpBusy")
        renewing = asyncio.create_task(self._renew(subscription_id, owner))
        try:
            return await self._drain_for(subscription_id, PUMP_FOR, renewing)
        finally:
            renewing.cancel()
            with contextlib.suppress(Exception):  # else the lease runs out on its own
                await asyncio.shield(release_pump(self._engine, subscription_id, owner))

    async def _renew(self, subscription_id: str, owner: str) -> None:
        """Keep the lease while the pump runs; ends when it is lost or cannot be renewed (the pump then
        stops, and its workflow runs it again)."""
        while True:
            await asyncio.sleep(RENEW_EVERY.total_seconds())
            try:
                if not await claim_pump(self._engine, subscription_id, owner, LEASE):
                    return
            except Exception:
                activity.logger.warning("pump lease of %s not renewed", subscription_id, exc_info=True)
                return

    async def _drain_for(self, subscription_id: str, period: timedelta, lease: asyncio.Task[None]) -> bool:
        until = time.monotonic() + period.total_seconds()
        while time.monotonic() < until and not lease.done():
            activity.heartbeat()
            outcome = await deliver_due(
                self._engine, self.sender, self._policy, subscription_id, tick=activity.heartbeat
            )
            if outcome.gone:
                return True
            await asyncio.sleep(wait_before_next_pass(outcome, IDLE).total_seconds())
        return False
