"""HTTP contracts of orders: the channel's order, store and support actions, and the order answered."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, model_validator

from api.access import REDACTED
from api.schemas.base import STATED_ACTOR, Public
from domain.access import noted
from domain.commands import Cancellation, CustomerChoice, HandoverProof, ResendRequest, SupportAction
from domain.contract import Contract
from domain.decisions import CandidateScore, ChoiceRequest, RoutingDecision
from domain.notifications import NotificationKind
from domain.order_state import OrderView
from domain.policy import ChoiceOption
from domain.slots import PickupSlot
from domain.status import OrderStatus
from domain.values import (
    Actor,
    Address,
    ChannelRef,
    ChannelReference,
    CheckIn,
    ContactPreference,
    Customer,
    MissingLine,
    OrderLine,
    OrderPlacement,
    PickedLine,
    PreparationSla,
    Reason,
    Shipment,
    ShortLine,
    SplitOrigin,
    StockAtRisk,
    StoreId,
    StoreProfile,
    TimelineEntry,
)

# ---- orders ---------------------------------------------------------------------------------------


class OrderBody(Contract):
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
    delivery_address: Address | None = Field(
        default=None, description="where to ship if the order has to switch to home delivery"
    )
    pickup_slot: datetime | None = Field(
        default=None,
        description="the start of the pickup slot chosen at checkout (GET /v1/stores/{store_id}/slots); "
        "booked with the order when a place is left, else the customer chooses on the pickup page",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_channel_reference(cls, body: Any) -> Any:
        """A placement as our contracts dump it names `channel_reference: null`: the same body. Set, it is
        refused (422 naming it): only a channel adapter (Shopify) says where to report progress."""
        if isinstance(body, dict) and "channel_reference" in body and body["channel_reference"] is None:
            return {key: value for key, value in body.items() if key != "channel_reference"}
        return body

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> "OrderBody":
        skus = [line.sku for line in self.lines]
        if len(skus) != len(set(skus)):
            raise ValueError("lines: each sku may appear on one line only")
        return self

    def placement(self) -> OrderPlacement:
        return OrderPlacement.model_validate(self.model_dump())


class CustomerPublic(Public):
    name: str
    email: str | None = None
    phone: str | None = None
    locale: str
    contact: ContactPreference | None = None
    contact_note: str | None = None


class PlacementPublic(Public):
    channel: str
    channel_order_id: str
    store_id: str
    customer: CustomerPublic
    lines: list[OrderLine]
    currency: str
    hold_id: str | None = None
    accept_alternative: bool | None = None
    delivery_address: Address | None = None
    pickup_slot: datetime | None = None
    channel_reference: ChannelReference | None = None


class ReturnSummary(BaseModel):
    """A return of the order (GET /v1/returns/{return_id} has its lines)."""

    return_id: str
    number: int
    store_id: str
    status: str
    refund: Decimal


class OrderPublic(Public):
    """An order as staff and channels see it (never the pickup code; store staff without contact data)."""

    order_id: str
    placement: PlacementPublic
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
    lines: list[OrderLine] | None = None
    routing: list[RoutingDecision] = []
    sla: PreparationSla | None = None
    sla_at_risk: bool = False
    short: list[ShortLine] = []
    choice: ChoiceRequest | None = None
    collected: list[PickedLine] = []
    refunded: Decimal = Decimal("0")
    shipment: Shipment | None = None
    previous_stores: list[str] = []
    alternatives: list[CandidateScore] = []
    split_from: SplitOrigin | None = None
    splits: list[str] = []
    split_off: Decimal = Decimal("0")
    collector: str | None = None
    check_in: CheckIn | None = None
    proof: HandoverProof | None = None
    pickup_slot: PickupSlot | None = None
    returns: list[ReturnSummary] = []  # from the returns read model, not the order's workflow

    @classmethod
    def seen(cls, order: OrderView, *, contact: bool = True) -> "OrderPublic":
        """The order; without `contact`, the customer's name but not their email or phone."""
        public = cls.of(order)
        if not contact:
            public.redact_contact()
        return public

    def redact_contact(self) -> None:
        """The customer's name stays; their email and phone are not shown."""
        self.placement.customer.email = self.placement.customer.phone = REDACTED


class AcceptedOrder(BaseModel):
    """202: the order is durable and will be reserved as soon as a worker is back."""

    order_id: str
    status: str = "accepted_pending_reservation"
    message: str = "the order is recorded and will be processed; poll GET /v1/orders/{order_id}"


class StoreActionBody(BaseModel):
    associate: str | None = Field(default=None, max_length=80, description="who at the store did it")

    def actor(self, identity: str) -> str:  # the key's identity, then who its device names: store:x/lea
        return identity + (f"/{self.associate}" if self.associate else "")


class PickBody(StoreActionBody):
    lines: list[PickedLine] = Field(min_length=1)


class ReadyBody(StoreActionBody):
    staging_location: str = Field(min_length=1, max_length=60, examples=["shelf B3"])


class CollectBody(StoreActionBody):
    pickup_code: str = Field(pattern=r"^[0-9]{6}$")
    lines: list[PickedLine] | None = Field(
        default=None, description="what the customer takes when not everything; the rest is refunded"
    )


class ShortPickBody(StoreActionBody):
    lines: list[ShortLine] = Field(min_length=1, description="per line, the units missing and why")


class RejectBody(StoreActionBody):
    reason: Reason


class CancelBody(BaseModel):
    reason: Reason
    actor: Actor | None = STATED_ACTOR

    def command(self, identity: str) -> Cancellation:
        return Cancellation(reason=noted(self.reason, self.actor), actor=identity)


class ChoiceBody(Contract):
    option: ChoiceOption
    store_id: StoreId | None = Field(default=None, description="for other_store: one of the offered stores")
    delivery_address: Address | None = Field(default=None, description="for home_delivery")
    actor: Actor | None = STATED_ACTOR

    def command(self, identity: str) -> CustomerChoice:
        return CustomerChoice.model_validate({**self.model_dump(exclude={"actor"}), "actor": identity})


class PickupSlotBody(Contract):
    starts_at: datetime = Field(
        description="the start of one of the store's slots (GET /v1/stores/{store_id}/slots); UTC if naive"
    )


class ResendBody(Contract):
    kind: NotificationKind
    actor: Actor | None = STATED_ACTOR

    def command(self, identity: str) -> ResendRequest:
        return ResendRequest(kind=self.kind, actor=identity)


class SupportActionBody(Contract):
    actor: Actor | None = STATED_ACTOR
    reason: Reason = "checked with the customer"

    def command(self, identity: str) -> SupportAction:
        return SupportAction(actor=identity, reason=noted(self.reason, self.actor))


class MessagePublic(Public):
    """A message sent (or being sent) about an order, from the notification outbox."""

    order_id: str
    kind: str
    sequence: int
    channel: str
    recipient: str
    subject: str
    body: str
    status: str
    provider: str
    language: str | None = None
    provider_message_id: str | None = None
    delivery_status: str | None = None
    failure: str | None = None
    sent_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class TrackingLinkPublic(BaseModel):
    url: str


class TrackedOrderPublic(Public):
    reference: str
    status: OrderStatus
    store: StoreProfile | None
    lines: list[OrderLine]
    ready_by: datetime | None
    pickup_deadline: datetime | None
