"""Payment gateway adapter: authorise, capture, void and refund, each keyed by order id and step (a refund
by its own key). The embedded gateway is the payments ledger; a PSP would sit behind the same activities.

Two failures will never heal with retries, so they fail the activity for good (non-retryable) and the
workflow decides: a conflict (capture after void, void after capture, a refund beyond what is held) and
an entry the ledger cannot hold (an amount beyond its NUMERIC(12, 2) column, a currency code too long)."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio import activity

from activities.refusals import failing_for_good
from adapters.db import payments
from domain import ids
from workflows.activities import PaymentSteps
from workflows.contracts import PaymentRequest, Refund

Step = TypeVar("Step", PaymentRequest, Refund)


class PaymentActivities(PaymentSteps):
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=ids.ACTIVITY_AUTHORIZE_PAYMENT)
    async def authorize(self, request: PaymentRequest) -> bool:
        return await self._record(payments.authorize, request)

    @activity.defn(name=ids.ACTIVITY_CAPTURE_PAYMENT)
    async def capture(self, request: PaymentRequest) -> bool:
        return await self._record(payments.capture, request)

    @activity.defn(name=ids.ACTIVITY_VOID_PAYMENT)
    async def void(self, request: PaymentRequest) -> bool:
        return await self._record(payments.void, request)

    @activity.defn(name=ids.ACTIVITY_REFUND_PAYMENT)
    async def refund(self, refund: Refund) -> bool:
        """True when this call refunded; False when the refund with this key was already issued."""
        return await self._record(payments.refund, refund)

    async def _record(self, step: Callable[[AsyncConnection, Step], Awaitable[bool]], request: Step) -> bool:
        with failing_for_good():
            async with self._engine.begin() as conn:
                return await step(conn, request)
