"""Collection: the customer hands over the pickup code and takes the order (or part of it); wrong codes
lock collection until support unlocks it; an order nobody collects expires."""

from dataclasses import dataclass
from decimal import Decimal

from domain.commands import Collection
from domain.errors import PickupLocked, PickupNotLocked, WrongPickupCode
from domain.order.core import SYSTEM, OrderCore
from domain.order.rules import (
    MAX_PICKUP_ATTEMPTS,
    check_collection,
    left_at_collection,
    lines_amount,
    pickup_code_matches,
)
from domain.status import OrderStatus
from domain.values import PickedLine


@dataclass(frozen=True)
class Handover:
    """What a collection leaves behind: units per SKU to put back on sale, and their price to refund."""

    left: dict[str, int]
    refund: Decimal


@dataclass(frozen=True)
class PickupLock:
    """Collection locked after too many wrong codes. Each lockout raises its own support alert (`key`),
    since unlocking resets the count of wrong codes but not of lockouts."""

    kind: str
    detail: str
    key: str


class Collecting(OrderCore):
    @property
    def waiting(self) -> list[PickedLine]:
        """What waits for the customer at the staging location."""
        if self.state.picked:
            return [line for line in self.state.picked if line.quantity > 0]
        return [PickedLine(sku=line.sku, quantity=line.quantity) for line in self.state.current_lines]

    @property
    def pickup_code_for_customer(self) -> str | None:
        """The code, for the customer's own tracking page, while the order waits for them."""
        return self.state.pickup_code if self.status is OrderStatus.READY else None

    @property
    def collection_locked(self) -> bool:
        return self.state.failed_pickup_attempts >= MAX_PICKUP_ATTEMPTS

    def ensure_collectable(self, collection: Collection) -> None:
        """Collected only when ready, taking at most what waits, and not while collection is locked."""
        self.ensure(OrderStatus.COLLECTED)
        if collection.lines is not None:
            check_collection(self.waiting, collection.lines)
        if self.collection_locked:
            raise PickupLocked(
                "collection is locked after too many wrong pickup codes; support can unlock it"
            )

    def collect(self, collection: Collection) -> Handover:
        """The right pickup code completes the order; what the customer leaves is put back and refunded.
        A wrong code counts (WrongPickupCode, `locked` by the last one allowed)."""
        state = self.state
        if not pickup_code_matches(state.pickup_code, collection.pickup_code):
            state.failed_pickup_attempts += 1
            locked = state.failed_pickup_attempts == MAX_PICKUP_ATTEMPTS
            if locked:
                state.pickup_lockouts += 1
            raise WrongPickupCode(locked=locked)
        taken, left = left_at_collection(self.waiting, collection.lines)
        partial = ", ".join(f"{quantity} × {sku} left" for sku, quantity in left.items())
        self._transition(OrderStatus.COLLECTED, collection.actor, f"partial: {partial}" if left else None)
        state.collected = [PickedLine(sku=sku, quantity=q) for sku, q in taken.items() if q > 0]
        state.proof = collection.proof
        return Handover(left=left, refund=lines_amount(state.current_lines, left))

    @property
    def pickup_lock(self) -> PickupLock:
        """The support alert of the latest lockout."""
        state = self.state
        return PickupLock(
            kind="pickup_locked",
            detail=f"{MAX_PICKUP_ATTEMPTS} wrong pickup codes at {state.placement.store_id}",
            key=f"{state.order_id}:pickup_locked:{state.pickup_lockouts}",
        )

    def ensure_locked(self) -> None:
        if not self.collection_locked:
            raise PickupNotLocked("collection is not locked")

    def unlock_pickup(self) -> None:
        """Support checked with the customer: they may try their pickup code again."""
        self.state.failed_pickup_attempts = 0
        self.state.version += 1

    def expire(self) -> None:
        self._transition(OrderStatus.EXPIRED, SYSTEM, "not collected within the hold period")
