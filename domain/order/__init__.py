"""One click & collect order: the aggregate (`Order`), its rules, and what its steps return."""

from domain.order.aggregate import Order
from domain.order.collection import Handover, PickupLock
from domain.order.core import SYSTEM, WHILE_READY, Foresight
from domain.order.exceptions import Escalation, Reroute, SplitPlan
from domain.order.parking import StepFailure
from domain.order.rules import (
    MAX_PICKUP_ATTEMPTS,
    PickMismatch,
    apply_transition,
    check_answer,
    check_collection,
    check_pick,
    check_short_pick,
    left_at_collection,
    lines_amount,
    new_pickup_code,
    pickup_code_matches,
)

__all__ = [
    "MAX_PICKUP_ATTEMPTS",
    "SYSTEM",
    "WHILE_READY",
    "Escalation",
    "Foresight",
    "Handover",
    "Order",
    "PickMismatch",
    "PickupLock",
    "Reroute",
    "SplitPlan",
    "StepFailure",
    "apply_transition",
    "check_answer",
    "check_collection",
    "check_pick",
    "check_short_pick",
    "left_at_collection",
    "lines_amount",
    "new_pickup_code",
    "pickup_code_matches",
]
