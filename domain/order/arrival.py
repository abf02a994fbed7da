"""The customer on their way: who collects, "I'm on my way" / "I'm here" (in store or at the curb), the
curbside clock, and cancelling from their own page before picking starts."""

from domain.commands import CUSTOMER, Cancellation, CollectorNaming, CustomerCheckIn
from domain.errors import StepNotAllowed
from domain.notifications import StoreReminder
from domain.order.core import OrderCore
from domain.slots import PickupSlot, aimed_at_slot, hold_starts, may_choose_slot
from domain.status import BEFORE_PICKING, HOLDS_STOCK, IN_PREPARATION, OrderStatus
from domain.values import CheckIn, TimelineEntry

# A check-in makes sense while the store prepares the order or holds it for the customer.
CHECK_IN_WHILE = IN_PREPARATION | {OrderStatus.READY}
# The customer cancels on their own page until picking starts; afterwards, support does.
CUSTOMER_CANCELS_WHILE = BEFORE_PICKING | {OrderStatus.RECEIVED}


def may_check_in(status: OrderStatus) -> bool:
    return status in CHECK_IN_WHILE


def customer_may_cancel(status: OrderStatus) -> bool:
    return status in CUSTOMER_CANCELS_WHILE


def may_name_collector(status: OrderStatus) -> bool:
    return status in HOLDS_STOCK or status is OrderStatus.RECEIVED


class Arrival(OrderCore):
    def ensure_check_in(self) -> None:
        """Allowed while the order is in preparation or ready."""
        if not may_check_in(self.status):
            raise StepNotAllowed(f"order is {self.status.value}; check-in is not possible", self.status.value)

    def check_in(self, request: CustomerCheckIn) -> bool:
        """Record the check-in (and a timeline entry); True when the customer just arrived at the curb,
        so the curbside clock must start (once the order is ready)."""
        self.ensure_check_in()
        state = self.state
        was_at_curb = state.check_in is not None and state.check_in.waiting_at_curb
        state.check_in = CheckIn(
            stage=request.stage,
            place=request.place,
            car=request.car,
            bay=request.bay,
            at=self.now,
            bring_out_by=state.check_in.bring_out_by if state.check_in and was_at_curb else None,
        )
        self._note(request.actor, self._check_in_words(state.check_in))
        if state.check_in.waiting_at_curb and self.status is OrderStatus.READY and not was_at_curb:
            self.start_curbside_clock()
        return state.check_in.waiting_at_curb and not was_at_curb

    @staticmethod
    def _check_in_words(check_in: CheckIn) -> str:
        stage = "on the way" if check_in.stage.value == "on_the_way" else "here"
        where = "in store" if check_in.place.value == "in_store" else f"curbside, {check_in.car}"
        bay = f", bay {check_in.bay}" if check_in.bay else ""
        return f"checked in: {stage}, {where}{bay}"

    def start_curbside_clock(self) -> None:
        """The order is ready and the customer waits at the curb: bring it out within the policy's time."""
        check_in = self.state.check_in
        if check_in and check_in.waiting_at_curb and check_in.bring_out_by is None:
            check_in.bring_out_by = max(self.now, check_in.at) + self.policy.curbside_within
            self.state.version += 1
            self._changed()

    @property
    def curbside_due(self) -> bool:
        """The customer still waits at the curb for a ready order."""
        check_in = self.state.check_in
        return self.status is OrderStatus.READY and check_in is not None and check_in.waiting_at_curb

    def curbside_reminder(self) -> StoreReminder:
        """The store is late bringing the order out to the car."""
        state, check_in = self.state, self.state.check_in
        assert state.store and check_in and check_in.bring_out_by
        return StoreReminder(
            order_id=state.order_id,
            channel_order_id=state.placement.channel_order_id,
            store=state.store,
            step="curbside",
            due=check_in.bring_out_by,
            sequence=self.routes,
        )

    # ---- who collects ---------------------------------------------------------------------------

    def ensure_collector_nameable(self) -> None:
        if not may_name_collector(self.status):
            raise StepNotAllowed(
                f"order is {self.status.value}; it is no longer waiting to be collected", self.status.value
            )

    def name_collector(self, naming: CollectorNaming) -> None:
        """The name the store checks at handover (None: the customer again)."""
        self.ensure_collector_nameable()
        self.state.collector = naming.name
        who = f"collected by {naming.name}" if naming.name else "collected by the customer"
        self._note(naming.actor, who)

    # ---- cancelling from the customer's page -----------------------------------------------------

    def ensure_cancellable(self, cancellation: Cancellation) -> None:
        """Support cancels any time before collection; the customer only before picking starts."""
        if cancellation.actor == CUSTOMER and not customer_may_cancel(self.status):
            raise StepNotAllowed(
                f"order is {self.status.value}; picking has started, ask the store", self.status.value
            )
        self.ensure(OrderStatus.CANCELLED)

    def _note(self, actor: str, reason: str) -> None:
        """A timeline entry that changes nothing but what the store and ops read."""
        state = self.state
        state.timeline.append(TimelineEntry(at=self.now, status=state.status, actor=actor, reason=reason))
        state.version += 1
        self._changed()

    def book_slot(self, slot: PickupSlot, *, move_deadlines: bool = False) -> bool:
        """The customer's pickup slot (booked by the database): the store's ready-by aims at its start;
        False when the order is past choosing one. `move_deadlines` (a slot changed on a running order,
        slot-change-moves-timers patch): the ready-by aims from the promise before any slot, a ready
        order's hold counts from the new slot, and the workflow plans its timers again."""
        state = self.state
        if not may_choose_slot(self.status) or state.pickup_slot == slot:
            return False
        state.pickup_slot = slot
        if state.sla is not None and self.status in IN_PREPARATION:
            state.sla_before_slot = state.sla_before_slot or state.sla
            state.sla = aimed_at_slot(state.sla_before_slot if move_deadlines else state.sla, slot)
            state.ready_by = state.sla.ready_by
        elif state.ready_by is not None and self.status in IN_PREPARATION:
            state.ready_by = max(state.ready_by, slot.starts_at)
        if move_deadlines:
            self._move_deadlines(slot)
        self._note(CUSTOMER, f"pickup slot {slot.starts_at:%Y-%m-%d %H:%M} UTC")
        return True

    def _move_deadlines(self, slot: PickupSlot) -> None:
        state = self.state
        if self.status is OrderStatus.READY and state.ready_at is not None:
            state.pickup_deadline = self.hold_deadline(hold_starts(state.ready_at, slot))
        state.deadlines_moved += 1
