"""Payments adapter; the embedded gateway is the payments ledger table. Keyed by order id and step."""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import ids
from domain.models import PaymentRequest
from oms.db import payments


class PaymentActivities:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @activity.defn(name=ids.ACTIVITY_AUTHORIZE_PAYMENT)
    async def authorize(self, request: PaymentRequest) -> bool:
        async with self._engine.begin() as conn:
            return await payments.authorize(conn, request)

    @activity.defn(name=ids.ACTIVITY_CAPTURE_PAYMENT)
    async def capture(self, request: PaymentRequest) -> bool:
        return await self._settle(payments.capture, request)

    @activity.defn(name=ids.ACTIVITY_VOID_PAYMENT)
    async def void(self, request: PaymentRequest) -> bool:
        return await self._settle(payments.void, request)

    async def _settle(
        self, step: Callable[[AsyncConnection, PaymentRequest], Awaitable[bool]], request: PaymentRequest
    ) -> bool:
        """A conflict (capture after void, void after capture) will not heal with retries."""
        try:
            async with self._engine.begin() as conn:
                return await step(conn, request)
        except payments.PaymentConflict as error:
            raise ApplicationError(str(error), type="PaymentConflict", non_retryable=True) from error
