"""The one contract: pydantic models shared by the API, the workflows and the activities."""

import hashlib
from datetime import datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.ids import CHANNEL_REF_PATTERN, order_workflow_id
from domain.status import OrderStatus

ChannelRef = Annotated[str, Field(pattern=CHANNEL_REF_PATTERN, examples=["webshop"])]
Sku = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", examples=["SKU-TENT-2P"])]
StoreId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", examples=["paris-rivoli"])]
Actor = Annotated[str, Field(min_length=1, max_length=120, examples=["store:paris-rivoli"])]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Quantity = Annotated[int, Field(gt=0, le=999)]


def storable_text(value: str) -> str:
    """Text PostgreSQL can store: no NUL character, no lone surrogate (invalid Unicode)."""
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains invalid Unicode") from None
    return value


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: object) -> object:
        # Checked at the door: an order that cannot be stored would retry its activities forever.
        return storable_text(value) if isinstance(value, str) else value


class ContactPreference(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    BOTH = "both"
    NONE = "none"


class Customer(Contract):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    phone: str = Field(pattern=r"^\+[1-9][0-9]{6,14}$", description="E.164, e.g. +33612345678")
    locale: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    contact: ContactPreference | None = Field(
        default=None, description="how the customer agreed to be contacted; unset means email and SMS"
    )


class OrderLine(Contract):
    sku: Sku
    quantity: Quantity
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderPlacement(Contract):
    """What a sales channel sends to place a click & collect order."""

    channel: ChannelRef
    channel_order_id: ChannelRef
    store_id: StoreId
    customer: Customer
    lines: list[OrderLine] = Field(min_length=1, max_length=100)
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])
    hold_id: str | None = Field(
        default=None, pattern=r"^hold-[0-9a-f]{32}$", description="a checkout hold this order converts"
    )
    accept_alternative: bool | None = Field(
        default=None,
        description="when the chosen store cannot serve the basket, take the best nearby store instead "
        "of refusing the order",
    )
    delivery_address: "Address | None" = Field(
        default=None, description="where to ship if the order has to switch to home delivery"
    )

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> "OrderPlacement":
        skus = [line.sku for line in self.lines]
        if len(skus) != len(set(skus)):
            raise ValueError("lines: each sku may appear on one line only")
        return self

    @property
    def order_id(self) -> str:
        return order_workflow_id(self.channel, self.channel_order_id)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    def fingerprint(self) -> str:
        """A digest of the placement, to tell a retried POST from a conflicting reuse of its id.

        Unset optional fields are left out, so adding one to the contract keeps old digests valid
        (running workflows compare digests)."""
        return hashlib.sha256(self.model_dump_json(exclude_none=True).encode()).hexdigest()


class Address(Contract):
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    postcode: str = Field(min_length=1, max_length=20)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2", examples=["FR"])


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
    expiry_warning_before: timedelta | None = Field(
        default=timedelta(hours=24), description="the 'last day to collect' message; None for none"
    )
    quiet_hours_start: time | None = Field(
        default=time(21), description="store local time; None: no quiet hours"
    )
    quiet_hours_end: time = time(8)
    quiet_hours_for_urgent: bool = Field(default=False, description="hold ready/re-routed messages too")


class SplitOrigin(Contract):
    """Where a split order comes from: the order whose store could not find these lines."""

    order_id: str
    part: int = Field(ge=2, description="the split's number within the channel order (the first is 1)")
    store: "StoreProfile"
    reason: str


class OrderInput(Contract):
    placement: OrderPlacement
    policy: OrderPolicy = OrderPolicy()
    split_from: SplitOrigin | None = Field(
        default=None, description="set when the OMS splits missing lines off an order into this one"
    )
    carry_on_from: "OrderState | None" = Field(
        default=None, description="a recorded state to continue from (continue-as-new, re-driving an order)"
    )


class OpeningHours(Contract):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    opens: time
    closes: time


class StoreKind(StrEnum):
    STORE = "store"  # a shop customers collect from
    WAREHOUSE = "warehouse"  # ships only


class RoutingState(StrEnum):
    OPEN = "open"  # takes new and re-routed orders
    CLOSED = "closed"  # closed today (holiday, works): no new orders
    FROZEN = "frozen"  # stock count or incident: no new orders


class StoreProfile(Contract):
    id: StoreId
    name: str
    city: str
    address: str
    latitude: float
    longitude: float
    timezone: str
    opening_hours: list[OpeningHours]
    email: str | None = None
    kind: StoreKind = StoreKind.STORE
    routing: RoutingState = RoutingState.OPEN
    orders_per_hour: int | None = Field(default=None, ge=1, description="orders it can prepare per hour")
    orders_per_day: int | None = Field(default=None, ge=1, description="click & collect orders per day")
    ships: bool = Field(default=False, description="ships home deliveries")
    country: str | None = None


class MissingLine(Contract):
    sku: str
    requested: int
    available: int


class ReservationRequest(Contract):
    order_id: str
    store_id: str
    lines: list[OrderLine]
    from_hold: str | None = None


class ReservationOutcome(Contract):
    reserved: bool
    missing: list[MissingLine] = []


class PaymentRequest(Contract):
    order_id: str
    amount: Decimal
    currency: str


class PickedLine(Contract):
    sku: Sku
    quantity: int = Field(ge=0, le=999)


class ShortReason(StrEnum):
    NOT_FOUND = "not_found"  # not on the shelf: the count was wrong
    DAMAGED = "damaged"  # found but unsellable
    WRONG_ITEM = "wrong_item"  # the shelf holds something else under this SKU
    OTHER = "other"


class ShortLine(Contract):
    sku: Sku
    missing: Quantity = Field(description="units the store could not pick")
    reason: ShortReason


class ShortPick(Contract):
    """The store could not pick everything: per line, how many units are missing and why."""

    lines: list[ShortLine] = Field(min_length=1)
    actor: Actor


class StoreRejection(Contract):
    reason: Reason
    actor: Actor


class CustomerChoice(Contract):
    option: ChoiceOption
    store_id: StoreId | None = Field(default=None, description="for other_store: one of the offered stores")
    delivery_address: Address | None = Field(default=None, description="for home_delivery")
    actor: Actor = "customer"


class PickReport(Contract):
    lines: list[PickedLine] = Field(min_length=1)
    actor: Actor


class ReadyReport(Contract):
    staging_location: str = Field(min_length=1, max_length=60, examples=["shelf B3"])
    actor: Actor


class StoreAcceptance(Contract):
    actor: Actor


class Collection(Contract):
    pickup_code: str = Field(pattern=r"^[0-9]{6}$")
    actor: Actor
    lines: list[PickedLine] | None = Field(
        default=None,
        description="what the customer takes, when not everything: the rest is released and refunded",
    )


class Cancellation(Contract):
    reason: Reason
    actor: Actor = "support"


class ResendRequest(Contract):
    kind: "NotificationKind"
    actor: Actor = "support"


class SupportAlert(Contract):
    """Something support must look at; `key` makes raising it idempotent."""

    order_id: str
    kind: str
    detail: str
    key: str


class SupportAction(Contract):
    actor: Actor = "support"
    reason: Reason = "checked with the customer"


class IntakeConfirmation(Contract):
    fingerprint: str


class TimelineEntry(Contract):
    at: datetime
    status: OrderStatus
    actor: str
    reason: str | None = None


class NotificationKind(StrEnum):
    ORDER_CONFIRMED = "order_confirmed"
    READY_FOR_PICKUP = "ready_for_pickup"
    PICKUP_REMINDER = "pickup_reminder"
    EXPIRY_WARNING = "expiry_warning"
    RECEIPT = "receipt"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_EXPIRED = "order_expired"
    REROUTED = "rerouted"
    REFUND_ISSUED = "refund_issued"
    CHOICE_REQUESTED = "choice_requested"
    SHIPPED = "shipped"
    ORDER_SPLIT = "order_split"


class NotificationFacts(Contract):
    """What a message may tell the customer; templates pick what their kind needs."""

    channel_order_id: str
    total: Decimal
    currency: str
    store: StoreProfile | None = None
    pickup_code: str | None = None
    ready_by: datetime | None = None
    pickup_deadline: datetime | None = None
    previous_store: StoreProfile | None = None
    refund_amount: Decimal | None = None
    choice_deadline: datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    part: str | None = None  # a split order's number within the channel order ('2')
    lines: list[OrderLine] = []


class CustomerNotification(Contract):
    """One message event to a customer; (order_id, kind, sequence) identifies it for exactly-once sending.
    The notifier renders it per channel in the customer's language."""

    order_id: str
    kind: NotificationKind
    sequence: int = 1
    customer: Customer
    facts: NotificationFacts


class StockAtRisk(Contract):
    """The store's shelf no longer covers what is reserved for this order (a sale or a count took it)."""

    store_id: str
    sku: str
    short_by: int
    detected_at: datetime


class StoreLoad(Contract):
    in_preparation: int = 0  # orders reserved, accepted or picked now
    placed_today: int = 0  # click & collect orders routed to it today (store local day)


class RoutingCandidate(Contract):
    """A store routing may choose: where it is, what it can promise per SKU, how busy it is."""

    store: StoreProfile
    available: dict[str, int]
    load: StoreLoad = StoreLoad()


class CandidateScore(Contract):
    store_id: str
    distance_km: float
    missing: list[MissingLine] = []
    load: float | None = None  # 1.0 = at capacity
    ready_by: datetime | None = None
    ready_today: bool = False
    score: float | None = None  # None when excluded
    excluded: str | None = None  # why this store cannot take the order


class RoutingDecision(Contract):
    """One routing decision and its trace: every candidate, its score, and why the winner won."""

    at: datetime
    reason: str
    from_store_id: str
    chosen: str | None
    why: str
    candidates: list[CandidateScore]

    @property
    def alternatives(self) -> list[CandidateScore]:
        return [c for c in self.candidates if c.score is not None]


class ChoiceRequest(Contract):
    """What the customer is asked, until when, and what happens without an answer."""

    reason: str
    options: list[ChoiceOption]
    stores: list[CandidateScore] = []
    deadline: datetime
    default: ChoiceOption


class CarrierRate(Contract):
    carrier: str
    service: str
    country: str
    days: int = Field(ge=0, description="working days to deliver")
    price: Decimal = Field(ge=0)
    currency: str


class Shipment(Contract):
    order_id: str
    ship_from: str
    carrier: str
    service: str
    tracking_number: str
    cost: Decimal
    currency: str
    promised_days: int
    lines: list[OrderLine]


class DeliveryRequest(Contract):
    """A click & collect order continued as a home delivery (the delivery child workflow's input)."""

    order_id: str
    lines: list[OrderLine]
    address: Address
    customer: Customer
    channel_order_id: str
    currency: str
    promised_days: int = 3
    near: StoreProfile | None = None  # the store it was meant for: ship from the nearest location


class DeliveryOutcome(Contract):
    shipment: Shipment | None = None
    failure: str | None = None


class StoreSearch(Contract):
    """Ask for routing candidates: pickup stores near a store, or (near=None) every shipping location."""

    skus: list[str]
    near: StoreProfile | None = None
    radius_km: float = 0.0


class PartialRelease(Contract):
    holder_id: str
    quantities: dict[str, int]
    reason: str
    tag: str  # makes the release idempotent


class StockWriteOff(Contract):
    store_id: str
    holder_id: str
    lines: list[ShortLine]


class ShipmentBooking(Contract):
    shipment: Shipment
    address: Address


class StoreReminder(Contract):
    """An order is at risk of missing the store's deadline: the store is told once per deadline."""

    order_id: str
    channel_order_id: str
    store: StoreProfile
    step: str  # accept | ready
    due: datetime
    sequence: int


class Refund(Contract):
    order_id: str
    amount: Decimal
    currency: str
    key: str  # one refund per key, ever
    reason: str


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
    sla: "PreparationSla | None" = None
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


class PreparationSla(Contract):
    """The store's deadlines for this order, in opening time, and when each becomes at risk."""

    accept_at_risk: datetime
    accept_by: datetime
    ready_at_risk: datetime
    ready_by: datetime


class IntakeResult(Contract):
    order: OrderView
    created: bool


OrderPlacement.model_rebuild()
OrderView.model_rebuild()
OrderState.model_rebuild()
SplitOrigin.model_rebuild()
OrderInput.model_rebuild()
ResendRequest.model_rebuild()
