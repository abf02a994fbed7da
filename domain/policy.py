"""The policies an order runs under: timings, routing scores, short pick and choice defaults."""

from datetime import time, timedelta
from enum import StrEnum

from pydantic import Field

from domain.contract import Contract


class ChoiceOption(StrEnum):
    """What a customer may choose when the store cannot serve the whole order."""

    OTHER_STORE = "other_store"
    HOME_DELIVERY = "home_delivery"
    COLLECT_AVAILABLE = "collect_available"  # take what is there, be refunded for the rest
    CANCEL = "cancel"  # cancel and be refunded in full


class ShortPickPolicy(StrEnum):
    WHOLE_ORDER = "whole_order"  # move the whole order to a store that has everything
    MISSING_LINES = "missing_lines"  # keep what is there; a nearby store prepares the rest (a split order)
    ASK_CUSTOMER = "ask_customer"  # never move it without asking


class RoutingPolicy(Contract):
    """How a store is chosen; scores are points, the lowest wins (see docs/routing.md)."""

    max_distance_km: float = Field(default=30.0, ge=0, description="farthest store an order moves to unasked")
    offer_distance_km: float = Field(
        default=100.0, ge=0, description="farthest store offered to the customer"
    )
    points_per_km: float = Field(default=1.0, ge=0)
    points_at_capacity: float = Field(
        default=40.0, ge=0, description="added in proportion to the store's load"
    )
    points_if_not_ready_today: float = Field(default=60.0, ge=0, description="ready only after closing")
    alternatives: int = Field(default=3, ge=0, le=20, description="stores offered when the chosen one cannot")


class OrderPolicy(Contract):
    """The timings an order runs under, fixed when it is placed."""

    preparation_promise: timedelta = timedelta(hours=2)
    accept_within: timedelta = Field(
        default=timedelta(minutes=30), description="the store accepts within this much opening time"
    )
    at_risk_share: float = Field(
        default=0.8, gt=0, lt=1, description="share of an SLA after which the order is at risk"
    )
    choice_window: timedelta = Field(
        default=timedelta(hours=24), description="how long a customer may choose"
    )
    choice_default: ChoiceOption = Field(
        default=ChoiceOption.COLLECT_AVAILABLE,
        description="applied when the customer does not answer (cancel when nothing can be collected)",
    )
    short_pick: ShortPickPolicy = ShortPickPolicy.WHOLE_ORDER
    routing: RoutingPolicy = RoutingPolicy()
    reminder_after_ready: timedelta = timedelta(hours=24)
    hold_period: timedelta = timedelta(hours=72)
    hold_until_closing: bool = Field(
        default=True,
        description="the hold ends at the store's closing time on its last open day; False: on the clock",
    )
    expiry_warning_before: timedelta | None = Field(
        default=timedelta(hours=24), description="the 'last day to collect' message; None for none"
    )
    quiet_hours_start: time | None = Field(
        default=time(21), description="store local time; None: no quiet hours"
    )
    quiet_hours_end: time = time(8)
    curbside_within: timedelta = Field(
        default=timedelta(minutes=5), description="bring a ready order out to a checked-in car within this"
    )
    slot_reminder_before: timedelta = Field(
        default=timedelta(hours=2),
        description="the reminder of a booked pickup slot goes this long before it",
    )
    quiet_hours_for_urgent: bool = Field(default=False, description="hold ready/re-routed messages too")
