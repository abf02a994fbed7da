"""The Order aggregate: every state change of a click & collect order goes through it."""

from collections.abc import Callable
from datetime import datetime

from domain.order.arrival import Arrival
from domain.order.choice import CustomerChoices
from domain.order.collection import Collecting
from domain.order.exceptions import Exceptions
from domain.order.intake import Intake, placed
from domain.order.parking import Parking
from domain.order.store_steps import StoreSteps
from domain.order_state import OrderState
from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import OrderPlacement, SplitOrigin


class Order(Intake, StoreSteps, Collecting, Exceptions, CustomerChoices, Arrival, Parking):
    """One order, changed through the steps of the shop floor (accept, pick, mark_ready, collect,
    report_short_pick, reroute_to, ...). Each step checks its rules, changes the state, and returns what
    the caller must do (stock to release, an amount to refund, a message to send); a refused step raises
    an `OrderRefused` error. No I/O: the workflow persists and calls the outside world."""

    @classmethod
    def place(
        cls,
        placement: OrderPlacement,
        policy: OrderPolicy,
        *,
        clock: Callable[[], datetime],
        split_from: SplitOrigin | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> "Order":
        """A new order, received from its channel (or split off another order)."""
        return cls(placed(placement, clock(), split_from), policy, clock=clock, on_change=on_change)

    @classmethod
    def carry_on(
        cls,
        state: OrderState,
        policy: OrderPolicy,
        *,
        clock: Callable[[], datetime],
        on_change: Callable[[], None] | None = None,
    ) -> "Order":
        """An order continued from its recorded state; past intake, the channel has had its answer."""
        order = cls(state, policy, clock=clock, on_change=on_change)
        if not order.state.intake_answered and state.status is not OrderStatus.RECEIVED:
            order.mark_intake_answered()
        return order
