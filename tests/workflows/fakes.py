"""In-memory stand-ins for the activities, registered under the same names, for workflow tests."""

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import activity

from domain import ids
from domain.models import (
    CustomerNotification,
    MissingLine,
    OpeningHours,
    OrderView,
    PaymentRequest,
    ReservationOutcome,
    ReservationRequest,
    StoreProfile,
)

ALWAYS_OPEN = [OpeningHours(weekday=day, opens="00:00", closes="23:59") for day in range(7)]


@dataclass
class FakeSystems:
    """What the activities would have done to the world, recorded for assertions."""

    stock: dict[str, int] = field(default_factory=lambda: {"TENT-2P": 5})
    reserved: dict[str, dict[str, int]] = field(default_factory=dict)
    payments: list[tuple[str, str]] = field(default_factory=list)
    sent: list[CustomerNotification] = field(default_factory=list)
    sent_at: list[datetime] = field(default_factory=list)
    records: list[OrderView] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [message.kind.value for message in self.sent]

    def activities(self) -> list:
        @activity.defn(name=ids.ACTIVITY_LOAD_STORE)
        async def load_store(store_id: str) -> StoreProfile:
            return StoreProfile(
                id=store_id,
                name="Test store",
                city="Paris",
                address="1 rue de Test",
                latitude=48.86,
                longitude=2.34,
                timezone="Europe/Paris",
                opening_hours=ALWAYS_OPEN,
            )

        @activity.defn(name=ids.ACTIVITY_RESERVE_STOCK)
        async def reserve(request: ReservationRequest) -> ReservationOutcome:
            missing = [
                MissingLine(sku=line.sku, requested=line.quantity, available=self.stock.get(line.sku, 0))
                for line in request.lines
                if self.stock.get(line.sku, 0) < line.quantity
            ]
            if missing:
                return ReservationOutcome(reserved=False, missing=missing)
            self.reserved[request.order_id] = {line.sku: line.quantity for line in request.lines}
            for line in request.lines:
                self.stock[line.sku] -= line.quantity
            return ReservationOutcome(reserved=True)

        @activity.defn(name=ids.ACTIVITY_RELEASE_STOCK)
        async def release(order_id: str) -> int:
            lines = self.reserved.pop(order_id, {})
            for sku, quantity in lines.items():
                self.stock[sku] += quantity
            return len(lines)

        @activity.defn(name=ids.ACTIVITY_COMMIT_STOCK)
        async def commit(order_id: str) -> int:
            self.committed.append(order_id)
            return len(self.reserved.pop(order_id, {}))

        def payment(kind: str):  # type: ignore[no-untyped-def]
            @activity.defn(name=f"{kind}_payment")
            async def record(request: PaymentRequest) -> bool:
                self.payments.append((kind, str(request.amount)))
                return True

            return record

        @activity.defn(name=ids.ACTIVITY_NOTIFY_CUSTOMER)
        async def notify(message: CustomerNotification) -> list[str]:
            self.sent.append(message)
            self.sent_at.append(activity.info().current_attempt_scheduled_time)
            return ["email"]

        @activity.defn(name=ids.ACTIVITY_RECORD_ORDER)
        async def record(view: OrderView) -> None:
            self.records.append(view)

        return [
            load_store,
            reserve,
            release,
            commit,
            payment("authorize"),
            payment("capture"),
            payment("void"),
            notify,
            record,
        ]
