"""The order state machine: the only place that says which status may follow which."""

from enum import StrEnum

from domain.errors import StepNotAllowed


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
    AWAITING_CUSTOMER = "awaiting_customer"  # the store cannot serve it all: the customer chooses
    IN_DELIVERY = "in_delivery"  # switched to home delivery, shipped from a warehouse or shipping store
    SHIPPED = "shipped"
    PARKED = "parked"  # a step failed for good: support looks at it, and may cancel it


_BEFORE_COLLECTION = (
    OrderStatus.RECEIVED,
    OrderStatus.RESERVED,
    OrderStatus.ACCEPTED,
    OrderStatus.PICKED,
    OrderStatus.READY,
    OrderStatus.AWAITING_CUSTOMER,
    OrderStatus.PARKED,
)

# A re-route (SLA breach, store rejection, short pick, stock at risk) puts the order back to RESERVED
# at its new store, from any status before it was ready. An order the OMS still works on is PARKED when
# one of its steps fails for good (a payment the ledger cannot hold, a database down for too long):
# nothing more happens to it until support cancels it.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.RECEIVED: frozenset(
        {OrderStatus.RESERVED, OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.PARKED}
    ),
    OrderStatus.RESERVED: frozenset(
        {
            OrderStatus.ACCEPTED,
            OrderStatus.RESERVED,
            OrderStatus.AWAITING_CUSTOMER,
            OrderStatus.CANCELLED,
            OrderStatus.PARKED,
        }
    ),
    OrderStatus.ACCEPTED: frozenset(
        {
            OrderStatus.PICKED,
            OrderStatus.RESERVED,
            OrderStatus.AWAITING_CUSTOMER,
            OrderStatus.CANCELLED,
            OrderStatus.PARKED,
        }
    ),
    OrderStatus.PICKED: frozenset(
        {
            OrderStatus.READY,
            OrderStatus.RESERVED,
            OrderStatus.AWAITING_CUSTOMER,
            OrderStatus.CANCELLED,
            OrderStatus.PARKED,
        }
    ),
    OrderStatus.AWAITING_CUSTOMER: frozenset(
        {
            OrderStatus.RESERVED,
            OrderStatus.PICKED,
            OrderStatus.IN_DELIVERY,
            OrderStatus.CANCELLED,
            OrderStatus.PARKED,
        }
    ),
    OrderStatus.READY: frozenset(
        {OrderStatus.COLLECTED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.PARKED}
    ),
    OrderStatus.IN_DELIVERY: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.PARKED: frozenset({OrderStatus.CANCELLED}),
    OrderStatus.COLLECTED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.EXPIRED: frozenset(),
    OrderStatus.REJECTED: frozenset(),
    OrderStatus.SHIPPED: frozenset(),
}

TERMINAL = frozenset(status for status, nexts in TRANSITIONS.items() if not nexts)
HOLDS_STOCK = frozenset(
    {
        OrderStatus.RESERVED,
        OrderStatus.ACCEPTED,
        OrderStatus.PICKED,
        OrderStatus.READY,
        OrderStatus.AWAITING_CUSTOMER,
        OrderStatus.PARKED,
    }
)
# The OMS still works on the order: a step failing for good parks it.
PARKABLE = frozenset(status for status, nexts in TRANSITIONS.items() if OrderStatus.PARKED in nexts)
# The store is preparing the order: its SLA runs and an exception re-routes it.
IN_PREPARATION = frozenset({OrderStatus.RESERVED, OrderStatus.ACCEPTED, OrderStatus.PICKED})
# Picking has not started: an order whose stock is at risk moves without asking the store.
BEFORE_PICKING = frozenset({OrderStatus.RESERVED, OrderStatus.ACCEPTED})
# The store holds nothing for the order any more: stock warnings from its shelves no longer concern it.
GONE_FROM_STORE = TERMINAL | {OrderStatus.IN_DELIVERY}


class TransitionNotAllowed(StepNotAllowed):
    """A requested transition does not follow from the order's current status."""

    def __init__(self, current: OrderStatus, target: OrderStatus) -> None:
        super().__init__(f"order is {current.value}; it cannot become {target.value}", current.value)
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
