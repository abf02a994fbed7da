"""Erasure of a customer's personal data (GDPR): their key is destroyed, so their data in every workflow
history becomes unreadable, and the read model and messages are redacted."""

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.customer_keys import customer_ref
from adapters.db import erasure
from domain.status import TERMINAL, OrderStatus
from services.errors import OrdersInProgress


class KeyShredder(Protocol):
    async def destroy(self, ref: str) -> None: ...


async def erase_customer(engine: AsyncEngine, keys: KeyShredder, email: str) -> list[str]:
    """Erase the customer of `email`; refused while an order of theirs is still running. The orders
    redacted."""
    async with engine.begin() as conn:
        placed = await erasure.orders_of(conn, email)
        running = [order_id for order_id, status in placed if OrderStatus(status) not in TERMINAL]
        if running:
            raise OrdersInProgress(running)
        await erasure.redact(conn, [order_id for order_id, _ in placed])
    await keys.destroy(customer_ref(email))
    return [order_id for order_id, _ in placed]
