"""The order state machine: the only place that says which status may follow which."""

from enum import StrEnum


class OrderStatus(StrEnum):
    RECEIVED = "received"
    RESERVED = "reserved"
    ACCEPTED = "accepted"
    PICKED = "picked"
    READY = "ready_for_pickup"
    COLLECTED = "collected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"


_BEFORE_COLLECTION = (
    OrderStatus.RECEIVED,
    OrderStatus.RESERVED,
    OrderStatus.ACCEPTED,
    OrderStatus.PICKED,
    OrderStatus.READY,
)

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RECEIVED: frozenset({OrderStatus.RESERVED, OrderStatus.REJECTED, OrderStatus.CANCELLED}),
    OrderStatus.RESERVED: frozenset({OrderStatus.ACCEPTED, OrderStatus.CANCELLED}),
    OrderStatus.ACCEPTED: frozenset({OrderStatus.PICKED, OrderStatus.CANCELLED}),
    OrderStatus.PICKED: frozenset({OrderStatus.READY, OrderStatus.CANCELLED}),
    OrderStatus.READY: frozenset({OrderStatus.COLLECTED, OrderStatus.CANCELLED, OrderStatus.EXPIRED}),
    OrderStatus.COLLECTED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
}

TERMINAL = frozenset(status for status, nexts in TRANSITIONS.items() if not nexts)
HOLDS_STOCK = frozenset({OrderStatus.RESERVED, OrderStatus.ACCEPTED, OrderStatus.PICKED, OrderStatus.READY})


class TransitionNotAllowed(Exception):
    """A requested transition does not follow from the order's current status."""

    def __init__(self, current: OrderStatus, target: OrderStatus) -> None:
        super().__init__(f"order is {current.value}; it cannot become {target.value}")
        self.current = current
        self.target = target


def can_transition(current: OrderStatus, target: OrderStatus) -> bool:
    """Whether `target` may follow `current`."""
    return target in TRANSITIONS[current]


def ensure_transition(current: OrderStatus, target: OrderStatus) -> None:
    """Raise TransitionNotAllowed unless `target` may follow `current`."""
    if not can_transition(current, target):
        raise TransitionNotAllowed(current, target)


def can_cancel(current: OrderStatus) -> bool:
    """Support may cancel an order at any stage before collection."""
    return current in _BEFORE_COLLECTION
