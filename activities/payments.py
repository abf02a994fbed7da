"""Payments adapter; the embedded gateway is the payments ledger table. Keyed by order id and step."""

from sqlalchemy.ext.asyncio import AsyncEngine
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
        try:
            async with self._engine.begin() as conn:
                return await payments.capture(conn, request)
        except payments.PaymentConflict as error:
            raise ApplicationError(str(error), type="PaymentConflict", non_retryable=True) from error

    @activity.defn(name=ids.ACTIVITY_VOID_PAYMENT)
    async def void(self, request: PaymentRequest) -> bool:
        try:
            async with self._engine.begin() as conn:
                return await payments.void(conn, request)
        except payments.PaymentConflict as error:
            raise ApplicationError(str(error), type="PaymentConflict", non_retryable=True) from error
