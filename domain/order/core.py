"""The heart of the Order aggregate: its state, policy and clock, transitions, who holds its stock, the
payment still held, and the sequence of each message it sends."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, Self, TypeVar

from domain import ids
from domain.commands import Cancellation
from domain.deadlines import pickup_deadline
from domain.errors import NothingToResend
from domain.messages import notification_for
from domain.notifications import CustomerNotification, NotificationKind
from domain.order.rules import apply_transition
from domain.order_state import OrderState, OrderView
from domain.policy import OrderPolicy
from domain.sla import preparation_sla
from domain.status import OrderStatus, TransitionNotAllowed, can_cancel, ensure_transition
from domain.values import PreparationSla, StoreProfile

SYSTEM = "system"  # the actor of what the OMS decides on its own (deadlines, routing, defaults)

# Sent once per re-route, refund or choice: each gets the next sequence, so none replaces another.
REPEATABLE = frozenset(
    {NotificationKind.REROUTED, NotificationKind.REFUND_ISSUED, NotificationKind.CHOICE_REQUESTED}
)
# Messages about collecting: re-sent only while the order waits for the customer.
WHILE_READY = frozenset(
    {NotificationKind.READY_FOR_PICKUP, NotificationKind.PICKUP_REMINDER, NotificationKind.EXPIRY_WARNING}
)


Step = TypeVar("Step")


@dataclass(frozen=True)
class Foresight(Generic[Step]):
    """A step foreseen at `at`: the view it gives the order, recorded before the step is applied."""

    step: Callable[[Step], object]
    at: datetime
    view: OrderView


class OrderCore:
    """An order and the rules every step shares. `clock` tells the time (the workflow's); `on_change` is
    called after every change ops follow (status, flags, routing), to keep their view current."""

    def __init__(
        self,
        state: OrderState,
        policy: OrderPolicy,
        *,
        clock: Callable[[], datetime],
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.state = state
        self.policy = policy
        self.routing_enabled = (
            False  # routing, SLAs and exception paths: orders started before them run without
        )
        # Store calendars (special days, the hold ending at closing time): the workflow says whether the
        # order started after them (store-calendar patch); others keep the deadlines they were given.
        self.calendar_enabled = True
        self._clock = clock
        self._on_change = on_change or (lambda: None)

    @property
    def status(self) -> OrderStatus:
        return self.state.status

    @property
    def now(self) -> datetime:
        return self._clock()

    @property
    def timezone(self) -> str:
        """The store's timezone: deadlines and quiet hours are the store's."""
        return self.state.store.timezone if self.state.store else "UTC"

    @property
    def escalated_by(self) -> str:
        """Who the step an escalation takes is recorded under: the associate who reported the problem
        (a rejection, a short pick), else the OMS (a deadline, the stock feed, a customer's answer)."""
        return self.state.problem_actor or SYSTEM

    def ensure(self, target: OrderStatus) -> None:
        """Raise TransitionNotAllowed unless the order may become `target` now."""
        ensure_transition(self.status, target)

    @property
    def can_cancel(self) -> bool:
        return can_cancel(self.status)

    def cancel(self, cancellation: Cancellation) -> None:
        """Cancelled before collection: what it holds is settled afterwards (compensation)."""
        self._transition(OrderStatus.CANCELLED, cancellation.actor, cancellation.reason)

    def _transition(self, target: OrderStatus, actor: str, reason: str | None = None) -> None:
        apply_transition(self.state, target, at=self.now, actor=actor, reason=reason)
        self._changed()

    def _changed(self) -> None:
        self._on_change()

    # ---- who holds the stock ------------------------------------------------------------------

    @property
    def routes(self) -> int:
        """Re-routes so far: each store's reservation has its own holder id."""
        return len(self.state.previous_stores)

    @property
    def holder(self) -> str:
        """The holder id of the reservation at the order's store now."""
        return ids.reservation_holder(self.state.order_id, self.routes)

    @property
    def next_holder(self) -> str:
        """The holder id a re-route reserves under, before it releases the current one."""
        return ids.reservation_holder(self.state.order_id, self.routes + 1)

    @property
    def tried_stores(self) -> frozenset[str]:
        """Stores this order was at: it never goes back to one that failed it."""
        state = self.state
        return frozenset({state.placement.store_id, state.store_id, *state.previous_stores})

    # ---- payment --------------------------------------------------------------------------------

    @property
    def payment_held(self) -> Decimal:
        """The amount still authorised for the customer: the total less what was refunded or split off."""
        return self.state.placement.total - self.state.refunded - self.state.split_off

    def payment_released(self, amount: Decimal, *, split: bool = False) -> None:
        """`amount` of the hold was given back to the customer (or moved to a split order)."""
        if split:
            self.state.split_off += amount
        else:
            self.state.refunded += amount

    # ---- preparation deadlines ------------------------------------------------------------------

    def calendar_of(self, store: StoreProfile) -> StoreProfile:
        """The store as the order's deadlines see it: special days only for orders started after them."""
        return store if self.calendar_enabled else store.model_copy(update={"special_days": []})

    def _start_sla(self) -> PreparationSla:
        store = self.state.store
        assert store, "an order is prepared at a known store"
        sla = preparation_sla(self.now, self.policy, self.calendar_of(store))
        self.state.sla, self.state.ready_by = sla, sla.ready_by
        self.state.sla_before_slot = None  # a slot aims the new deadlines from these
        return sla

    def hold_deadline(self, hold_from: datetime) -> datetime:
        """The hold period from `hold_from`, ending at the store's closing time (orders started before
        store calendars: on the clock)."""
        store = self.state.store
        by_calendar = store is not None and self.calendar_enabled and self.policy.hold_until_closing
        calendar = store if by_calendar else None
        return pickup_deadline(hold_from, self.policy.hold_period, calendar)

    # ---- messages -------------------------------------------------------------------------------

    def message(
        self,
        kind: NotificationKind,
        *,
        previous_store: StoreProfile | None = None,
        refund_amount: Decimal | None = None,
    ) -> CustomerNotification:
        """The message of `kind` about the order now; a repeatable kind gets the next sequence."""
        return self.message_sent(
            self.draft_message(kind, previous_store=previous_store, refund_amount=refund_amount)
        )

    def draft_message(
        self,
        kind: NotificationKind,
        *,
        previous_store: StoreProfile | None = None,
        refund_amount: Decimal | None = None,
    ) -> CustomerNotification:
        """The message `message` would give, not counted as sent yet (`message_sent`): for a step that
        sends it once its own work is done, and does not when that work fails."""
        sequence = self.state.sequences.get(kind, 0) + 1 if kind in REPEATABLE else 1
        return notification_for(
            self.state,
            kind,
            sequence,
            previous_store=previous_store,
            refund_amount=refund_amount,
            at=self.now,
        )

    def message_sent(self, message: CustomerNotification) -> CustomerNotification:
        """Count `message` as sent (re-sends start from the last one counted)."""
        sequences = self.state.sequences
        sequences[message.kind] = max(message.sequence, sequences.get(message.kind, 0))
        return message

    def ensure_resendable(self, kind: NotificationKind) -> None:
        """Only a message already sent goes again; collection messages only while the order is ready."""
        if kind not in self.state.sequences:
            raise NothingToResend(f"no {kind.value} message was sent for this order")
        if kind in WHILE_READY and self.status is not OrderStatus.READY:
            raise TransitionNotAllowed(self.status, OrderStatus.READY)

    def resend(self, kind: NotificationKind) -> CustomerNotification:
        """The last message of `kind` again, under the next sequence (a new message for the outbox)."""
        sequence = self.state.sequences[kind] + 1
        return self.message_sent(notification_for(self.state, kind, sequence, at=self.now))

    # ---- recording a step with the database work that decides it ---------------------------------

    def foresee(self, step: Callable[[Self], object]) -> "Foresight[Self]":
        """The order's view once `step` is applied now, leaving the order as it is: recorded in the same
        transaction as the database work whose outcome applies the step (a reservation)."""
        at = self.now
        twin = type(self)(self.state.model_copy(deep=True), self.policy, clock=lambda: at)
        twin.routing_enabled, twin.calendar_enabled = self.routing_enabled, self.calendar_enabled
        step(twin)
        return Foresight(step=step, at=at, view=twin.state.view())

    def come_true(self, foresight: "Foresight[Self]") -> bool:
        """Apply a foreseen step, as of when it was foreseen; True when the order is what was recorded
        (False: it changed meanwhile, and must be recorded again)."""
        clock, self._clock = self._clock, lambda: foresight.at
        try:
            foresight.step(self)
        finally:
            self._clock = clock
        return self.state.view() == foresight.view

    def recorded_ahead(self, view: OrderView) -> None:
        """The read model holds `view`, foreseen for a step that another change overtook (a cancellation
        while the stock was reserved): the order is numbered after it, so its next record replaces it."""
        self.state.version = max(self.state.version, view.version) + 1

    # ---- the workflow's own progress ------------------------------------------------------------

    def mark_intake_answered(self) -> None:
        """The reservation is decided and recorded: the channel may have its answer."""
        self.state.intake_answered = True

    def mark_compensated(self) -> None:
        """Stock released, payment voided, customer told."""
        self.state.compensated = True
