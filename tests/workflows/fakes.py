"""In-memory stand-ins for the activities, implementing the same interfaces, for workflow tests.

The world: a few stores around Paris (and a warehouse), stock per store, reservations per holder, the
payments ledger as a list, messages sent, shipments booked, store reminders."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import ids
from domain.channel_sync import ChannelReport
from domain.decisions import RoutingCandidate
from domain.delivery import DEFAULT_RATES
from domain.geo import distance_km
from domain.notifications import CustomerNotification, NotificationKind, StoreReminder
from domain.order_state import OrderView
from domain.reconciliation import ReconciliationReport
from domain.status import OrderStatus
from domain.values import CarrierRate, MissingLine, OpeningHours, Shipment, StoreKind, StoreProfile
from tests.workflows.fake_channel import FakeChannel
from tests.workflows.fake_steps import FakeOrderSteps
from tests.workflows.return_fakes import FakeReturns, FakeReturnWorld
from workflows.activities import (
    CarrierSteps,
    EventDeliverySteps,
    NotificationSteps,
    OrderRecordSteps,
    PaymentSteps,
    ReconciliationSteps,
    RoutingSteps,
    StockSteps,
    defined_activities,
)
from workflows.contracts import (
    PartialRelease,
    PaymentRequest,
    Refund,
    ReservationOutcome,
    ReservationRequest,
    ShipmentBooking,
    StockWriteOff,
    StoreSearch,
    SupportAlert,
)

ALWAYS_OPEN = [OpeningHours(weekday=day, opens="00:00", closes="23:59") for day in range(7)]
HOME = "paris-rivoli"


def store(store_id: str, lat: float, lon: float, **extra: object) -> StoreProfile:
    return StoreProfile(
        id=store_id,
        name=store_id.replace("-", " ").title(),
        city="Paris",
        address=f"1 rue de {store_id}",
        latitude=lat,
        longitude=lon,
        timezone="Europe/Paris",
        opening_hours=extra.pop("opening_hours", ALWAYS_OPEN),  # type: ignore[arg-type]
        email=f"{store_id}@stores.example.com",
        **extra,  # type: ignore[arg-type]
    )


STORES = {
    "paris-rivoli": store("paris-rivoli", 48.8606, 2.3429),
    "paris-bastille": store("paris-bastille", 48.8532, 2.3691),  # 2 km
    "la-defense": store("la-defense", 48.8918, 2.2380),  # 8 km
    "chartres": store("chartres", 48.4439, 1.4890),  # 75 km: offered to the customer, never moved to unasked
    "wh-ile-de-france": store("wh-ile-de-france", 48.75, 2.40, kind=StoreKind.WAREHOUSE),
}


@dataclass(frozen=True)
class ServerClock:
    """The test server's time: what a message's send is timed by (a local activity carries the machine's
    clock, not the skipped workflow time); never copied with a fake transaction's snapshot."""

    read: Callable[[], Awaitable[datetime]]

    def __deepcopy__(self, memo: dict[int, object]) -> "ServerClock":
        return self


class Gate(asyncio.Event):
    """An event the test sets: one for the world, never copied with a fake transaction's snapshot."""

    def __deepcopy__(self, memo: dict[int, object]) -> "Gate":
        return self


@dataclass
class FakeSystems:
    """What the activities would have done to the world, recorded for assertions."""

    stock: dict[str, dict[str, int]] = field(default_factory=lambda: {HOME: {"TENT-2P": 5}})
    stores: dict[str, StoreProfile] = field(default_factory=lambda: dict(STORES))
    reserved: dict[str, tuple[str, dict[str, int]]] = field(default_factory=dict)
    reconciled_at: list[datetime] = field(default_factory=list)
    pumps: list[str] = field(default_factory=list)
    pumps_until_gone: int = 3
    payments: list[tuple[str, str]] = field(default_factory=list)
    refund_keys: set[str] = field(default_factory=set)
    ledger: list[tuple[str, str, str]] = field(default_factory=list)  # (order id, kind, amount)
    sent: list[CustomerNotification] = field(default_factory=list)
    sent_at: list[datetime] = field(default_factory=list)
    records: list[OrderView] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)
    written_off: list[tuple[str, str, int]] = field(default_factory=list)
    reminders: list[StoreReminder] = field(default_factory=list)
    reminded_at: list[datetime] = field(default_factory=list)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    rates: list[CarrierRate] = field(default_factory=lambda: list(DEFAULT_RATES))
    alerts: dict[str, SupportAlert] = field(default_factory=dict)  # support alerts raised, by key
    resolved: list[str] = field(default_factory=list)  # kinds of the alerts resolved
    ledger_limit: Decimal | None = None  # amounts beyond it the payments ledger cannot hold, for good
    unrecordable: OrderStatus | None = None  # orders in this status the read model refuses, for good
    channel_reports: list[ChannelReport] = field(default_factory=list)  # told to Shopify, in order
    channel_refusal: str | None = None  # an error type every report to the channel fails with, for good
    confirmation_gate: "Gate | None" = None  # the confirmation reaches its provider once it is set
    provider_down: int = 0  # the next sends that fail (a provider down), each counted down
    clock: ServerClock | None = None  # when set, messages are timed by it (see ServerClock)

    async def now(self) -> datetime:
        """When the running message or reminder is sent, in workflow time."""
        if self.clock is not None:
            return await self.clock.read()
        return activity.info().current_attempt_scheduled_time

    def kinds(self) -> list[str]:
        return [message.kind.value for message in self.sent]

    def held(self, store_id: str) -> dict[str, int]:
        """Units reserved at a store, by SKU, over every holder."""
        total: dict[str, int] = {}
        for where, lines in self.reserved.values():
            if where == store_id:
                for sku, quantity in lines.items():
                    total[sku] = total.get(sku, 0) + quantity
        return total

    def activities(self) -> list[Callable[..., Any]]:
        """The fake activities, one object per interface the workflows call."""
        stock, payments, records = FakeStock(self), FakePayments(self), FakeRecords(self)
        notifications = FakeNotifications(self)
        fakes = (
            stock,
            payments,
            records,
            FakeOrderSteps(self, stock, payments, records, notifications),
            FakeRouting(self),
            FakeCarrier(self),
            notifications,
            FakeReturns(FakeReturnWorld()),
            FakeReconciliation(self),
            FakeChannel(self),
            FakeEventDelivery(self),
        )
        return [method for fake in fakes for method in defined_activities(fake)]


class FakeStock(StockSteps):
    def __init__(self, world: FakeSystems) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_RESERVE_STOCK)
    async def reserve(self, request: ReservationRequest) -> ReservationOutcome:
        world = self.world
        if request.order_id in world.reserved:
            return ReservationOutcome(reserved=True)
        shelf = world.stock.setdefault(request.store_id, {})
        missing = [
            MissingLine(sku=line.sku, requested=line.quantity, available=shelf.get(line.sku, 0))
            for line in request.lines
            if shelf.get(line.sku, 0) < line.quantity
        ]
        if missing:
            return ReservationOutcome(reserved=False, missing=missing)
        world.reserved[request.order_id] = (
            request.store_id,
            {line.sku: line.quantity for line in request.lines},
        )
        for line in request.lines:
            shelf[line.sku] -= line.quantity
        return ReservationOutcome(reserved=True)

    @activity.defn(name=ids.ACTIVITY_RELEASE_STOCK)
    async def release(self, order_id: str) -> int:
        store_id, lines = self.world.reserved.pop(order_id, ("", {}))
        for sku, quantity in lines.items():
            self.world.stock[store_id][sku] += quantity
        return len(lines)

    @activity.defn(name=ids.ACTIVITY_RELEASE_LINES)
    async def release_lines(self, release: PartialRelease) -> int:
        store_id, lines = self.world.reserved[release.holder_id]
        for sku, quantity in release.quantities.items():
            back = min(quantity, lines.get(sku, 0))
            lines[sku] = lines.get(sku, 0) - back
            self.world.stock[store_id][sku] += back
        return len(release.quantities)

    @activity.defn(name=ids.ACTIVITY_WRITE_OFF_STOCK)
    async def write_off(self, write_off: StockWriteOff) -> int:
        store_id, lines = self.world.reserved[write_off.holder_id]
        for line in write_off.lines:  # the units were reserved, so they leave the reservation too
            lines[line.sku] -= line.missing
            self.world.written_off.append((write_off.store_id, line.sku, line.missing))
        return len(write_off.lines)

    @activity.defn(name=ids.ACTIVITY_COMMIT_STOCK)
    async def commit(self, order_id: str) -> int:
        self.world.committed.append(order_id)
        return len(self.world.reserved.pop(order_id, ("", {}))[1])


class FakePayments(PaymentSteps):
    def __init__(self, world: FakeSystems) -> None:
        self.world = world

    def _record(self, kind: str, request: PaymentRequest, *, check: bool = True) -> bool:
        if check:
            self._check(request.amount)
        self.world.payments.append((kind, str(request.amount)))
        self.world.ledger.append((request.order_id, kind, str(request.amount)))
        return True

    def _check(self, amount: Decimal) -> None:
        limit = self.world.ledger_limit
        if limit is not None and amount > limit:
            message = f"the payments ledger cannot record {amount}"
            raise ApplicationError(message, type="PaymentUnrecordable", non_retryable=True)

    @activity.defn(name=ids.ACTIVITY_AUTHORIZE_PAYMENT)
    async def authorize(self, request: PaymentRequest) -> bool:
        return self._record("authorize", request)

    @activity.defn(name=ids.ACTIVITY_CAPTURE_PAYMENT)
    async def capture(self, request: PaymentRequest) -> bool:
        return self._record("capture", request)

    @activity.defn(name=ids.ACTIVITY_VOID_PAYMENT)
    async def void(self, request: PaymentRequest) -> bool:
        # A void releases a hold the ledger held (the real one writes nothing without it): never refused.
        return self._record("void", request, check=False)

    @activity.defn(name=ids.ACTIVITY_REFUND_PAYMENT)
    async def refund(self, refund: Refund) -> bool:
        if refund.key in self.world.refund_keys:
            return False
        self._check(refund.amount)
        self.world.refund_keys.add(refund.key)
        self.world.payments.append(("refund", str(refund.amount)))
        self.world.ledger.append((refund.order_id, "refund", str(refund.amount)))
        return True


class FakeRecords(OrderRecordSteps):
    def __init__(self, world: FakeSystems) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_LOAD_STORE)
    async def load_store(self, store_id: str) -> StoreProfile:
        return self.world.stores[store_id]

    @activity.defn(name=ids.ACTIVITY_RECORD_ORDER)
    async def record(self, view: OrderView) -> None:
        if view.status is self.world.unrecordable:
            raise ApplicationError(
                f"cannot record a {view.status} order", type="DataRefused", non_retryable=True
            )
        self.world.records.append(view)

    @activity.defn(name=ids.ACTIVITY_RAISE_SUPPORT_ALERT)
    async def raise_support_alert(self, alert: SupportAlert) -> None:
        self.world.alerts.setdefault(alert.key, alert)

    @activity.defn(name=ids.ACTIVITY_RESOLVE_SUPPORT_ALERT)
    async def resolve_support_alert(self, alert: SupportAlert) -> None:
        self.world.resolved.append(alert.kind)


class FakeRouting(RoutingSteps):
    def __init__(self, world: FakeSystems) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_FIND_STORES)
    async def find_stores(self, search: StoreSearch) -> list[RoutingCandidate]:
        def shelf(store_id: str) -> dict[str, int]:
            return {sku: self.world.stock.get(store_id, {}).get(sku, 0) for sku in search.skus}

        near = search.near
        return [
            RoutingCandidate(store=profile, available=shelf(profile.id))
            for profile in self.world.stores.values()
            if (near is None and (profile.kind is StoreKind.WAREHOUSE or profile.ships))
            or (
                near is not None
                and distance_km(near.latitude, near.longitude, profile.latitude, profile.longitude)
                <= search.radius_km * 1.5  # a bounding box is wider than the circle
            )
        ]


class FakeCarrier(CarrierSteps):
    def __init__(self, world: FakeSystems) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_QUOTE_CARRIERS)
    async def quote(self, country: str) -> list[CarrierRate]:
        return [rate for rate in self.world.rates if rate.country == country]

    @activity.defn(name=ids.ACTIVITY_BOOK_SHIPMENT)
    async def book(self, booking: ShipmentBooking) -> Shipment:
        return self.world.shipments.setdefault(booking.shipment.order_id, booking.shipment)


class FakeNotifications(NotificationSteps):
    def __init__(self, world: FakeSystems) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_NOTIFY_CUSTOMER)
    async def notify_customer(self, message: CustomerNotification) -> list[str]:
        gate = self.world.confirmation_gate
        if gate is not None and message.kind is NotificationKind.ORDER_CONFIRMED:
            await gate.wait()  # a slow provider
        if self.world.provider_down > 0:
            self.world.provider_down -= 1
            raise ConnectionError("provider unreachable")
        self.world.sent.append(message)
        self.world.sent_at.append(await self.world.now())
        return ["email"]

    @activity.defn(name=ids.ACTIVITY_REMIND_STORE)
    async def remind_store(self, reminder: StoreReminder) -> bool:
        self.world.reminders.append(reminder)
        self.world.reminded_at.append(await self.world.now())
        return True


class FakeReconciliation(ReconciliationSteps):
    def __init__(self, world: FakeSystems) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_RECONCILE)
    async def reconcile(self, checked_at: datetime) -> ReconciliationReport:
        self.world.reconciled_at.append(checked_at)
        return ReconciliationReport(checked_at=checked_at)


class FakeEventDelivery(EventDeliverySteps):
    """Each pump of a subscription counted; the subscription is gone after `pumps_until_gone` pumps."""

    def __init__(self, world: FakeSystems) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_PUMP_EVENTS)
    async def pump(self, subscription_id: str) -> bool:
        self.world.pumps.append(subscription_id)
        return len(self.world.pumps) >= self.world.pumps_until_gone


def money(amount: str) -> str:
    return str(Decimal(amount))
