"""Parking: a step whose database work failed for good (a payment the ledger cannot hold, a database
down longer than retries wait) stops the order where it is, for support to look at and cancel."""

from dataclasses import dataclass

from domain.order.core import SYSTEM, OrderCore
from domain.status import PARKABLE, OrderStatus


@dataclass(frozen=True)
class StepFailure:
    """The support alert a step failed for good raises; `key` makes raising it idempotent (one per
    failure: the order's version tells them apart)."""

    kind: str
    detail: str
    key: str


class Parking(OrderCore):
    @property
    def can_park(self) -> bool:
        """Parked only while the OMS still works on the order; a collected or ended order is not."""
        return self.status in PARKABLE

    def step_failed(self, step: str, error: str) -> StepFailure:
        """`step` failed for good: the order is parked when it can be (the channel has its answer, any
        exception in hand stops here), and support is told either way."""
        state = self.state
        reason = f"{step} failed for good: {error}"
        if not self.can_park:
            return StepFailure(
                kind="step_failed",
                detail=f"{reason} (order {state.status.value}; settle it by hand)",
                key=f"{state.order_id}:step_failed:{state.version}",
            )
        self._transition(OrderStatus.PARKED, SYSTEM, reason)
        state.problem = None
        self.mark_intake_answered()
        return StepFailure(
            kind="order_parked",
            detail=f"{reason}; cancel the order to release its stock and payment",
            key=f"{state.order_id}:order_parked:{state.version}",
        )
