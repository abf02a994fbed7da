"""The store's steps: accept, pick, stage the order ready for pickup; what the customer hears meanwhile."""

from collections.abc import Callable
from datetime import datetime

from domain.deadlines import reminder_at
from domain.notifications import NotificationKind
from domain.order.core import OrderCore
from domain.order.rules import check_pick, new_pickup_code
from domain.reminders import collection_messages, urgent_message_time
from domain.slots import hold_starts
from domain.status import OrderStatus
from domain.values import PickedLine


class StoreSteps(OrderCore):
    def accept(self, actor: str) -> None:
        self._transition(OrderStatus.ACCEPTED, actor)

    def ensure_pick(self, lines: list[PickedLine]) -> None:
        """A complete pick, now: every line with its full quantity (short picks are an exception)."""
        self.ensure(OrderStatus.PICKED)
        check_pick(self.state.current_lines, lines)

    def pick(self, lines: list[PickedLine], actor: str) -> None:
        self._transition(OrderStatus.PICKED, actor)
        self.state.picked = lines

    def mark_ready(self, staging_location: str, actor: str, draw: Callable[[], int]) -> None:
        """Staged for the customer: the hold period starts and the pickup code is drawn (`draw`: a
        workflow-deterministic random integer, drawn only when the step is allowed)."""
        self.ensure(OrderStatus.READY)
        state, now = self.state, self.now
        state.ready_at = now
        state.pickup_deadline = self.hold_deadline(hold_starts(now, state.pickup_slot))
        state.staging_location = staging_location
        state.pickup_code = new_pickup_code(draw())
        self._transition(OrderStatus.READY, actor, f"staged at {staging_location}")

    def hold_ready_notice(self, *, quiet_hours: bool) -> bool:
        """True when quiet hours (set to cover urgent messages too) hold the ready message back; it goes
        at their end, in the collection plan. `quiet_hours` False: orders started before them."""
        now = self.now
        send_at = urgent_message_time(now, self.policy, self.timezone) if quiet_hours else now
        if send_at <= now:
            return False
        self.state.ready_notice_at = send_at
        return True

    def collection_messages(self, *, cadence: bool) -> list[tuple[datetime, NotificationKind]]:
        """What the customer hears while the order waits, in order: a ready message held back by quiet
        hours, the reminder and the expiry warning. `cadence` False: orders started before the cadence
        get one reminder."""
        state = self.state
        assert state.ready_at and state.pickup_deadline
        if not cadence:
            remind = reminder_at(state.ready_at, self.policy.reminder_after_ready, state.pickup_deadline)
            return [(remind, NotificationKind.PICKUP_REMINDER)] if remind else []
        slot_start = state.pickup_slot.starts_at if state.pickup_slot else None
        calendar = state.store if self.calendar_enabled else None
        plan = collection_messages(
            state.ready_at, state.pickup_deadline, self.policy, self.timezone, slot_start, calendar
        )
        if state.ready_notice_at:
            plan.insert(0, (state.ready_notice_at, NotificationKind.READY_FOR_PICKUP))
        return plan
