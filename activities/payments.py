"""Payment gateway adapter: authorise, capture, void and refund, each keyed by order id and step (a refund
by its own key). The embedded gateway is the payments ledger; a PSP would sit behind the same activities."""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.db import payments
from domain import ids
from workflows.activities import PaymentSteps
from workflows.contracts import PaymentRequest, Refund


class PaymentActivities(PaymentSteps):
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

    @activity.defn(name=ids.ACTIVITY_REFUND_PAYMENT)
    async def refund(self, refund: Refund) -> bool:
        """True when this call refunded; False when the refund with this key was already issued."""
        try:
            async with self._engine.begin() as conn:
                return await payments.refund(conn, refund)
        except payments.PaymentConflict as error:
            raise ApplicationError(str(error), type="PaymentConflict", non_retryable=True) from error

    async def _settle(
        self, step: Callable[[AsyncConnection, PaymentRequest], Awaitable[bool]], request: PaymentRequest
    ) -> bool:
        """A conflict (capture after void, void after capture) will not heal with retries."""
        try:
            async with self._engine.begin() as conn:
                return await step(conn, request)
        except payments.PaymentConflict as error:
            raise ApplicationError(str(error), type="PaymentConflict", non_retryable=True) from error
