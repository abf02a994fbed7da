"""In-memory stand-ins for the return activities: a store's shelf, write-offs, a payments ledger."""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import ids
from domain.notifications import CustomerNotification, StoreReminder
from workflows.activities import NotificationSteps, ReturnSteps, defined_activities
from workflows.contracts import SupportAlert
from workflows.return_contracts import ReturnProgress, ReturnRefund, ReturnStock


@dataclass
class FakeReturnWorld:
    shelf: dict[tuple[str, str], int] = field(default_factory=dict)  # (store, sku) → on hand
    written_off: list[tuple[str, str, int, str]] = field(default_factory=list)
    moved: set[str] = field(default_factory=set)  # ledger keys
    refunds: dict[str, Decimal] = field(default_factory=dict)  # return id → amount
    progress: list[ReturnProgress] = field(default_factory=list)
    sent: list[CustomerNotification] = field(default_factory=list)
    crash_refund_once: bool = False  # the worker dies after the ledger wrote the refund
    refuse_refund: str | None = None  # the ledger refuses the refund for good, with this message
    alerts: dict[str, SupportAlert] = field(default_factory=dict)  # support alerts by key

    def activities(self) -> list[Callable[..., Any]]:
        return (
            defined_activities(FakeReturns(self))
            + defined_activities(FakeMessages(self))
            + [FakeSupport(self).raise_support_alert]
        )


class FakeReturns(ReturnSteps):
    def __init__(self, world: FakeReturnWorld) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_RESTOCK_RETURN)
    async def restock(self, stock: ReturnStock) -> int:
        moved = 0
        for sku, quantity in stock.resellable.items():
            key = f"return:{stock.return_id}:{sku}"
            if key not in self.world.moved:
                self.world.moved.add(key)
                where = (stock.store_id, sku)
                self.world.shelf[where] = self.world.shelf.get(where, 0) + quantity
                moved += 1
        for sku, quantity in stock.damaged.items():
            key = f"return-write-off:{stock.return_id}:{sku}"
            if key not in self.world.moved:
                self.world.moved.add(key)
                self.world.written_off.append((stock.store_id, sku, quantity, stock.reasons[sku]))
                moved += 1
        return moved

    @activity.defn(name=ids.ACTIVITY_REFUND_RETURN)
    async def refund(self, refund: ReturnRefund) -> Decimal:
        if self.world.refuse_refund:
            raise ApplicationError(self.world.refuse_refund, type="PaymentConflict", non_retryable=True)
        self.world.refunds.setdefault(refund.return_id, refund.amount)
        if self.world.crash_refund_once:
            self.world.crash_refund_once = False
            raise RuntimeError("worker lost after the refund was written")
        return self.world.refunds[refund.return_id]

    @activity.defn(name=ids.ACTIVITY_RECORD_RETURN)
    async def record(self, progress: ReturnProgress) -> None:
        self.world.progress.append(progress)


class FakeMessages(NotificationSteps):
    def __init__(self, world: FakeReturnWorld) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_NOTIFY_CUSTOMER)
    async def notify_customer(self, message: CustomerNotification) -> list[str]:
        self.world.sent.append(message)
        return ["email"]

    @activity.defn(name=ids.ACTIVITY_REMIND_STORE)
    async def remind_store(self, reminder: StoreReminder) -> bool:
        return True


class FakeSupport:
    """The support alerts a return may raise (the real one: OrderRecordActivities)."""

    def __init__(self, world: FakeReturnWorld) -> None:
        self.world = world

    @activity.defn(name=ids.ACTIVITY_RAISE_SUPPORT_ALERT)
    async def raise_support_alert(self, alert: SupportAlert) -> None:
        self.world.alerts.setdefault(alert.key, alert)
