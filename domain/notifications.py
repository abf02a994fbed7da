"""Message events: what the OMS tells customers and stores, before rendering."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain.contract import Contract
from domain.values import Customer, OrderLine, StoreProfile


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
    SLOT_REMINDER = "slot_reminder"
    RETURN_RECEIPT = "return_receipt"


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
    slot_start: datetime | None = None  # the pickup slot the customer booked
    slot_end: datetime | None = None
    written_at: datetime | None = None  # when the order wrote it: the store's special days from then on


class CustomerNotification(Contract):
    """One message event to a customer; (order_id, kind, sequence) identifies it for exactly-once sending.
    The notifier renders it per channel in the customer's language."""

    order_id: str
    kind: NotificationKind
    sequence: int = 1
    customer: Customer
    facts: NotificationFacts


class StoreReminder(Contract):
    """An order is at risk of missing the store's deadline: the store is told once per deadline."""

    order_id: str
    channel_order_id: str
    store: StoreProfile
    step: str  # accept | ready
    due: datetime
    sequence: int
