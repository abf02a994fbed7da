"""Temporal contracts: workflow inputs and results, and the inputs and results of activities."""

from decimal import Decimal

from pydantic import Field

from domain.contract import Contract
from domain.notifications import CustomerNotification
from domain.order_state import OrderState, OrderView
from domain.policy import OrderPolicy
from domain.slots import PickupSlot
from domain.values import (
    Address,
    Customer,
    MissingLine,
    OrderLine,
    OrderPlacement,
    Shipment,
    ShortLine,
    SplitOrigin,
    StoreProfile,
)


class OrderInput(Contract):
    placement: OrderPlacement
    policy: OrderPolicy = OrderPolicy()
    split_from: SplitOrigin | None = Field(
        default=None, description="set when the OMS splits missing lines off an order into this one"
    )
    store: StoreProfile | None = Field(
        default=None,
        description="the pickup store as the door found it (spares a read at intake); loaded when absent",
    )
    carry_on_from: OrderState | None = Field(
        default=None,
        description="a recorded state to continue from, whole (what was in progress too): continue-as-new, "
        "re-driving an order",
    )


class ReservationRequest(Contract):
    order_id: str
    store_id: str
    lines: list[OrderLine]
    from_hold: str | None = None


class ReservationOutcome(Contract):
    reserved: bool
    missing: list[MissingLine] = []
    slot: PickupSlot | None = None  # the pickup slot the placement asked for, when a place was left


class PaymentRequest(Contract):
    order_id: str
    amount: Decimal
    currency: str


class SupportAlert(Contract):
    """Something support must look at; `key` makes raising it idempotent."""

    order_id: str
    kind: str
    detail: str
    key: str


class IntakeConfirmation(Contract):
    fingerprint: str


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


class Refund(Contract):
    order_id: str
    amount: Decimal
    currency: str
    key: str  # one refund per key, ever
    reason: str


class IntakeResult(Contract):
    order: OrderView
    created: bool


# ---- one transaction per step: what each step writes, and the view of the order it records last ----


class IntakeReservation(Contract):
    """Reserve the order; once every line is held, authorise the payment and record the order as
    `view` (foreseen as reserved). Nothing is written when a line is short."""

    reservation: ReservationRequest
    payment: PaymentRequest
    view: OrderView


class CollectionSettlement(Contract):
    """The customer took the order: what they left goes back on sale and is refunded (before the
    capture), the rest leaves the store, the payment still held is captured."""

    holder: str
    left: PartialRelease | None = None
    refund: Refund | None = None
    capture: PaymentRequest
    view: OrderView
    pickup_code: str | None = None  # the code it was handed over against: returns find the order by it
    message: CustomerNotification | None = None  # the receipt, sent once it committed (see RecordAndTell)


class Compensation(Contract):
    """The order ends uncollected (cancelled, expired): its stock back on sale, its payment voided."""

    holder: str
    void: PaymentRequest
    view: OrderView
    message: CustomerNotification | None = None  # cancelled or expired, sent once it committed


class RecordAndTell(Contract):
    """The order recorded, then the customer told: a step that ends with a message sends it from its own
    local activity once its transaction committed, and the step answers True when the message is done
    with, False when a provider could not take it then (the workflow sends it itself, with the retries
    of any message; the outbox keeps it to one send)."""

    view: OrderView
    message: CustomerNotification


class DroppedLines(Contract):
    """The order goes on without units its store did not find: released, and their share of the
    payment given back (or moved to a split order)."""

    release: PartialRelease
    refund: Refund | None = None
    view: OrderView


class StoreLeft(Contract):
    """The order left a store (moved to another, or to home delivery): its reservation there released."""

    holder: str
    view: OrderView


class ShipmentSettlement(Contract):
    """The parcel left with the carrier: the payment still held is captured."""

    capture: PaymentRequest
    view: OrderView


class PickupUnlocked(Contract):
    """Support unlocked collection: the lockout's alert is resolved."""

    alert: SupportAlert
    view: OrderView
