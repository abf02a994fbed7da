"""The activities workflows call: their names and typed signatures, no body and no I/O (safe in the
workflow sandbox). The classes in activities/ implement them; the worker registers those instances.

Workflows call them through workflows/calls.py, e.g. `await calls.database(StockSteps.reserve, request)`,
so readers and the type checker can follow every call."""

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from temporalio import activity

from domain import ids
from domain.channel_sync import ChannelReport
from domain.decisions import RoutingCandidate
from domain.notifications import CustomerNotification, StoreReminder
from domain.order_state import OrderView
from domain.reconciliation import ReconciliationReport
from domain.values import CarrierRate, Shipment, StoreProfile
from workflows.contracts import (
    CollectionSettlement,
    Compensation,
    DroppedLines,
    IntakeReservation,
    PartialRelease,
    PaymentRequest,
    PickupUnlocked,
    RecordAndTell,
    Refund,
    ReservationOutcome,
    ReservationRequest,
    ShipmentBooking,
    ShipmentSettlement,
    StockWriteOff,
    StoreLeft,
    StoreSearch,
    SupportAlert,
)
from workflows.return_contracts import ReturnProgress, ReturnRefund, ReturnStock


class StockSteps(ABC):
    """Reservations at a store, each idempotent by holder id."""

    @activity.defn(name=ids.ACTIVITY_RESERVE_STOCK)
    @abstractmethod
    async def reserve(self, request: ReservationRequest) -> ReservationOutcome: ...

    @activity.defn(name=ids.ACTIVITY_RELEASE_STOCK)
    @abstractmethod
    async def release(self, order_id: str) -> int: ...

    @activity.defn(name=ids.ACTIVITY_RELEASE_LINES)
    @abstractmethod
    async def release_lines(self, release: PartialRelease) -> int: ...

    @activity.defn(name=ids.ACTIVITY_WRITE_OFF_STOCK)
    @abstractmethod
    async def write_off(self, write_off: StockWriteOff) -> int: ...

    @activity.defn(name=ids.ACTIVITY_COMMIT_STOCK)
    @abstractmethod
    async def commit(self, order_id: str) -> int: ...


class PaymentSteps(ABC):
    """The payment hold: authorise, capture, void, refund (each keyed by order and step)."""

    @activity.defn(name=ids.ACTIVITY_AUTHORIZE_PAYMENT)
    @abstractmethod
    async def authorize(self, request: PaymentRequest) -> bool: ...

    @activity.defn(name=ids.ACTIVITY_CAPTURE_PAYMENT)
    @abstractmethod
    async def capture(self, request: PaymentRequest) -> bool: ...

    @activity.defn(name=ids.ACTIVITY_VOID_PAYMENT)
    @abstractmethod
    async def void(self, request: PaymentRequest) -> bool: ...

    @activity.defn(name=ids.ACTIVITY_REFUND_PAYMENT)
    @abstractmethod
    async def refund(self, refund: Refund) -> bool: ...


class OrderRecordSteps(ABC):
    """The store directory, the orders read model and support alerts."""

    @activity.defn(name=ids.ACTIVITY_LOAD_STORE)
    @abstractmethod
    async def load_store(self, store_id: str) -> StoreProfile: ...

    @activity.defn(name=ids.ACTIVITY_RECORD_ORDER)
    @abstractmethod
    async def record(self, view: OrderView) -> None: ...

    @activity.defn(name=ids.ACTIVITY_RAISE_SUPPORT_ALERT)
    @abstractmethod
    async def raise_support_alert(self, alert: SupportAlert) -> None: ...

    @activity.defn(name=ids.ACTIVITY_RESOLVE_SUPPORT_ALERT)
    @abstractmethod
    async def resolve_support_alert(self, alert: SupportAlert) -> None: ...


class OrderSteps(ABC):
    """Each step of an order, its whole database work (stock, payments ledger, read model, support
    alerts) in one transaction, every part keyed as the single-purpose activities above key it. A step
    given the message it ends with sends it once it committed: True when the message is done with, False
    when it is left to the workflow (contracts.RecordAndTell), None when given none."""

    @activity.defn(name=ids.ACTIVITY_RESERVE_ORDER)
    @abstractmethod
    async def reserve_order(self, step: IntakeReservation) -> ReservationOutcome: ...

    @activity.defn(name=ids.ACTIVITY_SETTLE_COLLECTION)
    @abstractmethod
    async def settle_collection(self, step: CollectionSettlement) -> bool | None: ...

    @activity.defn(name=ids.ACTIVITY_SETTLE_COMPENSATION)
    @abstractmethod
    async def settle_compensation(self, step: Compensation) -> bool | None: ...

    @activity.defn(name=ids.ACTIVITY_SETTLE_DROPPED_LINES)
    @abstractmethod
    async def settle_dropped_lines(self, step: DroppedLines) -> None: ...

    @activity.defn(name=ids.ACTIVITY_LEAVE_STORE)
    @abstractmethod
    async def leave_store(self, step: StoreLeft) -> None: ...

    @activity.defn(name=ids.ACTIVITY_SETTLE_SHIPMENT)
    @abstractmethod
    async def settle_shipment(self, step: ShipmentSettlement) -> None: ...

    @activity.defn(name=ids.ACTIVITY_RECORD_PICKUP_UNLOCKED)
    @abstractmethod
    async def record_pickup_unlocked(self, step: PickupUnlocked) -> None: ...

    @activity.defn(name=ids.ACTIVITY_RECORD_AND_TELL)
    @abstractmethod
    async def record_and_tell(self, step: RecordAndTell) -> bool: ...


class ReturnSteps(ABC):
    """A return's stock, refund and progress, each idempotent by the return's id."""

    @activity.defn(name=ids.ACTIVITY_RESTOCK_RETURN)
    @abstractmethod
    async def restock(self, stock: ReturnStock) -> int: ...

    @activity.defn(name=ids.ACTIVITY_REFUND_RETURN)
    @abstractmethod
    async def refund(self, refund: ReturnRefund) -> Decimal: ...

    @activity.defn(name=ids.ACTIVITY_RECORD_RETURN)
    @abstractmethod
    async def record(self, progress: ReturnProgress) -> None: ...


class RoutingSteps(ABC):
    """The facts routing chooses from: candidate stores, their stock and load."""

    @activity.defn(name=ids.ACTIVITY_FIND_STORES)
    @abstractmethod
    async def find_stores(self, search: StoreSearch) -> list[RoutingCandidate]: ...


class CarrierSteps(ABC):
    @activity.defn(name=ids.ACTIVITY_QUOTE_CARRIERS)
    @abstractmethod
    async def quote(self, country: str) -> list[CarrierRate]: ...

    @activity.defn(name=ids.ACTIVITY_BOOK_SHIPMENT)
    @abstractmethod
    async def book(self, booking: ShipmentBooking) -> Shipment: ...


class NotificationSteps(ABC):
    """Messages to customers and stores, each sent once per channel (the outbox)."""

    # The channels reached; recorded histories hold an older answer, their number, which must still decode.
    @activity.defn(name=ids.ACTIVITY_NOTIFY_CUSTOMER)
    @abstractmethod
    async def notify_customer(self, message: CustomerNotification) -> list[str] | int: ...

    @activity.defn(name=ids.ACTIVITY_REMIND_STORE)
    @abstractmethod
    async def remind_store(self, reminder: StoreReminder) -> bool: ...


class ChannelFulfilment(ABC):
    """The order's progress told to the channel it came from (Shopify): each report reads the channel's
    fulfillment orders first and sends only what they do not show yet; returns what was sent."""

    @activity.defn(name=ids.ACTIVITY_CHANNEL_READY)
    @abstractmethod
    async def report_ready(self, report: ChannelReport) -> list[str]: ...

    @activity.defn(name=ids.ACTIVITY_CHANNEL_COLLECTED)
    @abstractmethod
    async def report_collected(self, report: ChannelReport) -> list[str]: ...

    @activity.defn(name=ids.ACTIVITY_CHANNEL_ENDED)
    @abstractmethod
    async def report_ended(self, report: ChannelReport) -> list[str]: ...


class ReconciliationSteps(ABC):
    """The nightly reconciliation of stock, reservations and messages (services/reconciliation.py)."""

    @activity.defn(name=ids.ACTIVITY_RECONCILE)
    @abstractmethod
    async def reconcile(self, checked_at: datetime) -> ReconciliationReport: ...


class EventDeliverySteps(ABC):
    """A subscription's outbox drained for a while (its delivery state is in the database)."""

    @activity.defn(name=ids.ACTIVITY_PUMP_EVENTS)
    @abstractmethod
    async def pump(self, subscription_id: str) -> bool: ...


def activity_name(method: object) -> str | None:
    """The activity name a method is registered under, or None for a plain method."""
    # The SDK keeps the definition on the decorated function and offers no public reader for it.
    definition = activity._Definition.from_callable(method)  # type: ignore[arg-type]
    return definition.name if definition else None


def defined_activities(implementation: object) -> list[Callable[..., Any]]:
    """The bound activity methods of an implementation object, to register on a worker."""
    methods = (
        getattr(implementation, name) for name in dir(type(implementation)) if not name.startswith("_")
    )
    return [method for method in methods if callable(method) and activity_name(method)]
