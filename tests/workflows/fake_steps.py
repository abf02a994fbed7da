"""The step activities (one transaction each) over the single-purpose fakes: each part done as its fake
does it, and nothing of the step kept when a part fails (the world as it was: a rollback)."""

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from temporalio import activity

from domain import ids
from domain.notifications import CustomerNotification
from workflows.activities import NotificationSteps, OrderRecordSteps, OrderSteps, PaymentSteps, StockSteps
from workflows.contracts import (
    CollectionSettlement,
    Compensation,
    DroppedLines,
    IntakeReservation,
    PickupUnlocked,
    RecordAndTell,
    ReservationOutcome,
    ShipmentSettlement,
    StoreLeft,
)


class FakeOrderSteps(OrderSteps):
    def __init__(
        self,
        world: object,
        stock: StockSteps,
        payments: PaymentSteps,
        records: OrderRecordSteps,
        messages: NotificationSteps,
    ) -> None:
        self.world, self.stock, self.payments, self.records = world, stock, payments, records
        self.messages = messages

    async def _tell(self, message: CustomerNotification | None) -> bool | None:
        """As the messenger's `tell_now`: once the step committed; False when the provider failed."""
        if message is None:
            return None
        try:
            await self.messages.notify_customer(message)
        except Exception:  # noqa: BLE001 - left to the workflow's own message
            return False
        return True

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        before = copy.deepcopy(vars(self.world))
        try:
            yield
        except BaseException:
            vars(self.world).update(before)
            raise

    @activity.defn(name=ids.ACTIVITY_RESERVE_ORDER)
    async def reserve_order(self, step: IntakeReservation) -> ReservationOutcome:
        with self._transaction():
            outcome = await self.stock.reserve(step.reservation)
            if outcome.reserved:
                await self.payments.authorize(step.payment)
                await self.records.record(step.view)
            return outcome

    @activity.defn(name=ids.ACTIVITY_SETTLE_COLLECTION)
    async def settle_collection(self, step: CollectionSettlement) -> bool | None:
        with self._transaction():
            if step.left:
                await self.stock.release_lines(step.left)
            if step.refund:
                await self.payments.refund(step.refund)
            await self.stock.commit(step.holder)
            await self.payments.capture(step.capture)
            await self.records.record(step.view)
        return await self._tell(step.message)

    @activity.defn(name=ids.ACTIVITY_SETTLE_COMPENSATION)
    async def settle_compensation(self, step: Compensation) -> bool | None:
        with self._transaction():
            await self.stock.release(step.holder)
            await self.payments.void(step.void)
            await self.records.record(step.view)
        return await self._tell(step.message)

    @activity.defn(name=ids.ACTIVITY_RECORD_AND_TELL)
    async def record_and_tell(self, step: RecordAndTell) -> bool:
        with self._transaction():
            await self.records.record(step.view)
        return bool(await self._tell(step.message))

    @activity.defn(name=ids.ACTIVITY_SETTLE_DROPPED_LINES)
    async def settle_dropped_lines(self, step: DroppedLines) -> None:
        with self._transaction():
            await self.stock.release_lines(step.release)
            if step.refund:
                await self.payments.refund(step.refund)
            await self.records.record(step.view)

    @activity.defn(name=ids.ACTIVITY_LEAVE_STORE)
    async def leave_store(self, step: StoreLeft) -> None:
        with self._transaction():
            await self.stock.release(step.holder)
            await self.records.record(step.view)

    @activity.defn(name=ids.ACTIVITY_SETTLE_SHIPMENT)
    async def settle_shipment(self, step: ShipmentSettlement) -> None:
        with self._transaction():
            await self.payments.capture(step.capture)
            await self.records.record(step.view)

    @activity.defn(name=ids.ACTIVITY_RECORD_PICKUP_UNLOCKED)
    async def record_pickup_unlocked(self, step: PickupUnlocked) -> None:
        with self._transaction():
            await self.records.resolve_support_alert(step.alert)
            await self.records.record(step.view)
