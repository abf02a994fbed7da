"""An order's state: the view staff and channels see, and the workflow's own state."""

from datetime import datetime
from decimal import Decimal

from domain.decisions import CandidateScore, ChoiceRequest, RoutingDecision
from domain.status import OrderStatus
from domain.values import (
    Contract,
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


class OrderView(Contract):
    """An order as staff and channels see it: never the pickup code."""

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

    @property
    def store_id(self) -> str:
        """Where the order is prepared now (the chosen store, until it is re-routed)."""
        return self.store.id if self.store else self.placement.store_id

    @property
    def current_lines(self) -> list[OrderLine]:
        return self.placement.lines if self.lines is None else self.lines


class OrderState(OrderView):
    """The workflow's own state: the view plus the secret the customer brings to the store."""

    pickup_code: str | None = None
    failed_pickup_attempts: int = 0
    origin: StoreProfile | None = None  # the store the customer chose: routing measures from it

    def view(self) -> OrderView:
        return OrderView.model_validate(
            self.model_dump(exclude={"pickup_code", "failed_pickup_attempts", "origin"})
        )
