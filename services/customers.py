"""Erasure of a customer's personal data (GDPR): their key is destroyed, so their data in every workflow
history becomes unreadable, and the read model, messages and dead letters are redacted."""

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.customer_keys import customer_ref
from adapters.db import dead_letters, erasure
from domain.personal import redact, redact_reasons
from domain.status import TERMINAL, OrderStatus
from services.errors import NotConfigured, OrdersInProgress


class KeyShredder(Protocol):
    async def destroy(self, ref: str) -> None: ...


class KeyRewrapper(Protocol):
    async def rewrap_all(self) -> int: ...


@dataclass(frozen=True)
class Erasure:
    orders: list[str]  # orders whose read model and messages were redacted
    dead_letters: list[int]  # dead letters whose personal fields were redacted


async def erase_customer(engine: AsyncEngine, keys: KeyShredder, email: str) -> Erasure:
    """Erase the customer of `email`; refused while an order of theirs is still running."""
    async with engine.begin() as conn:
        placed = await erasure.orders_of(conn, email)
        running = [order_id for order_id, status in placed if OrderStatus(status) not in TERMINAL]
        if running:
            raise OrdersInProgress(running)
        await erasure.redact(conn, [order_id for order_id, _ in placed])
        letters = await dead_letters.naming(conn, email)
        for letter in letters:
            await dead_letters.erase(conn, letter.id, redact(letter.payload), redact_reasons(letter.reasons))
    await keys.destroy(customer_ref(email))
    return Erasure(
        orders=[order_id for order_id, _ in placed], dead_letters=[letter.id for letter in letters]
    )


async def rewrap_keys(keys: KeyRewrapper | None) -> int:
    """Every customer key rewrapped under the active master key (after a rotation); the count."""
    if keys is None:
        raise NotConfigured("customer keys are not wrapped: workflow payloads are not encrypted")
    return await keys.rewrap_all()
