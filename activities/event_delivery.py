"""The events' pump: drains one subscription's outbox for about a minute, then hands back to its workflow.
Idempotent: every attempt's outcome is written before the next one, and one pump per subscription runs
at a time (a PostgreSQL advisory lock, its transaction open while it runs)."""

import asyncio
import time
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.event_sender import EventSender
from domain import ids
from domain.event_delivery import DeliveryPolicy
from services.order_events import deliver_due, wait_before_next_pass
from workflows.activities import EventDeliverySteps

PUMP_FOR = timedelta(minutes=1)
IDLE = timedelta(milliseconds=500)  # how soon a new event is seen when nothing is due


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
        # A transaction-level lock, its transaction left open while the pump runs (it holds no row and,
        # read committed, no snapshot): released whatever happens, even when the worker dies.
        async with self._engine.begin() as lock:
            key = func.hashtextextended(f"events:{subscription_id}", 0)
            if not await lock.scalar(select(func.pg_try_advisory_xact_lock(key))):
                raise ApplicationError(f"another pump delivers {subscription_id}", type="PumpBusy")
            return await self._drain_for(subscription_id, PUMP_FOR)

    async def _drain_for(self, subscription_id: str, period: timedelta) -> bool:
        until = time.monotonic() + period.total_seconds()
        while time.monotonic() < until:
            activity.heartbeat()
            outcome = await deliver_due(
                self._engine, self.sender, self._policy, subscription_id, tick=activity.heartbeat
            )
            if outcome.gone:
                return True
            await asyncio.sleep(wait_before_next_pass(outcome, IDLE).total_seconds())
        return False
