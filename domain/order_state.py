"""An order's state and its view: what the workflow carries, and what staff and channels see of it."""

from datetime import datetime
from decimal import Decimal

from domain.commands import CustomerChoice, HandoverProof
from domain.contract import Contract
from domain.decisions import CandidateScore, ChoiceRequest, RoutingDecision
from domain.notifications import NotificationKind
from domain.slots import PickupSlot
from domain.status import OrderStatus
from domain.values import (
    CheckIn,
    MissingLine,
    OrderLine,
    OrderPlacement,
    PickedLine,
    PreparationSla,
    Shipment,
    ShortLine,
    SplitOrigin,
    StockAtRisk,
    StoreProfile,
    TimelineEntry,
)


class OrderFacts(Contract):
    """What is known about an order, shared by its state and its view."""

    order_id: str
    placement: OrderPlacement
    status: OrderStatus
    timeline: list[TimelineEntry] = []
    store: StoreProfile | None = None
    ready_by: datetime | None = None
    ready_at: datetime | None = None
    pickup_deadline: datetime | None = None
    staging_location: str | None = None
    picked: list[PickedLine] = []
    missing: list[MissingLine] = []
    stock_at_risk: list[StockAtRisk] = []
    version: int = 0
    lines: list[OrderLine] | None = None  # what the order still holds, once lines were dropped
    routing: list[RoutingDecision] = []
    sla: PreparationSla | None = None
    sla_at_risk: bool = False
    short: list[ShortLine] = []
    choice: ChoiceRequest | None = None
    collected: list[PickedLine] = []
    refunded: Decimal = Decimal("0")
    shipment: Shipment | None = None
    previous_stores: list[str] = []  # stores this order was re-routed away from
    alternatives: list[CandidateScore] = []  # offered when the chosen store could not serve at intake
    split_from: SplitOrigin | None = None  # the order these lines were split off
    splits: list[str] = []  # orders preparing lines this one's store could not find
    split_off: Decimal = Decimal("0")  # the share of the payment moved to those orders
    collector: str | None = None  # someone the customer named to collect in their place
    check_in: CheckIn | None = None  # the customer's latest "on my way" / "I'm here"
    proof: HandoverProof | None = None  # what was checked at handover beyond the pickup code
    pickup_slot: PickupSlot | None = None  # the slot the customer booked (pickup-slots patch)

    @property
    def store_id(self) -> str:
        """Where the order is prepared now (the chosen store, until it is re-routed)."""
        return self.store.id if self.store else self.placement.store_id

    @property
    def current_lines(self) -> list[OrderLine]:
        return self.placement.lines if self.lines is None else self.lines


class OrderView(OrderFacts):
    """An order as staff and channels see it (the read model, the API's answer): never the pickup code."""


class OrderState(OrderFacts):
    """Everything an order's workflow needs to carry on: the facts, the secret the customer brings to
    the store, and what is in progress. Serializable whole, so a new run continues where one stopped."""

    # Collection: the code, the wrong codes since the last unlock, and how often collection locked.
    pickup_code: str | None = None
    failed_pickup_attempts: int = 0
    pickup_lockouts: int = 0
    origin: StoreProfile | None = None  # the store the customer chose: routing measures from it
    # An exception the store or the stock feed raised, until it is handled; the customer's answer to a
    # choice, until it is applied; the profiles of the last routing candidates (the stores it may move to).
    problem: str | None = None
    problem_actor: str | None = None  # who raised it (a store associate), when not the OMS itself
    answer: CustomerChoice | None = None
    candidates: dict[str, StoreProfile] = {}
    # Messages: the last sequence sent per kind (for re-sends), a ready message held back by quiet hours.
    sequences: dict[NotificationKind, int] = {}
    ready_notice_at: datetime | None = None
    # Deadlines: the store's SLA before a pickup slot aimed it, and how often a changed slot moved the
    # deadlines (the workflow plans its timers again when this changes; slot-change-moves-timers patch).
    sla_before_slot: PreparationSla | None = None
    deadlines_moved: int = 0
    # The workflow's own progress: intake confirmations seen, the channel's answer given (reservation
    # decided and recorded), compensation done.
    intake_confirmations: int = 0
    intake_answered: bool = False
    compensated: bool = False

    def view(self) -> OrderView:
        return OrderView.model_validate(self.model_dump(include=set(OrderView.model_fields)))
