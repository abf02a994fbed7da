"""The order's steps, each one transaction on the worker's database (services/order_steps.py), then
the message a step ends with; a deterministic failure fails the step for good, so the workflow parks
the order instead of retrying."""

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from activities.refusals import failing_for_good
from domain import ids
from services import order_steps
from services.customer_messages import Messenger
from services.signals import OrderSignals
from workflows.activities import OrderSteps
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


class OrderStepActivities(OrderSteps):
    def __init__(self, engine: AsyncEngine, messenger: Messenger) -> None:
        self._engine = engine
        self._messenger = messenger  # for the message a step ends with, once it committed
        self._signals = OrderSignals(activity.client)  # the running activity's client, when needed

    @activity.defn(name=ids.ACTIVITY_RESERVE_ORDER)
    async def reserve_order(self, step: IntakeReservation) -> ReservationOutcome:
        with failing_for_good():
            return await order_steps.reserve_order(self._engine, self._signals, step)

    @activity.defn(name=ids.ACTIVITY_SETTLE_COLLECTION)
    async def settle_collection(self, step: CollectionSettlement) -> bool | None:
        with failing_for_good():
            return await order_steps.settle_collection(self._engine, self._signals, self._messenger, step)

    @activity.defn(name=ids.ACTIVITY_SETTLE_COMPENSATION)
    async def settle_compensation(self, step: Compensation) -> bool | None:
        with failing_for_good():
            return await order_steps.settle_compensation(self._engine, self._signals, self._messenger, step)

    @activity.defn(name=ids.ACTIVITY_SETTLE_DROPPED_LINES)
    async def settle_dropped_lines(self, step: DroppedLines) -> None:
        with failing_for_good():
            await order_steps.settle_dropped_lines(self._engine, self._signals, step)

    @activity.defn(name=ids.ACTIVITY_LEAVE_STORE)
    async def leave_store(self, step: StoreLeft) -> None:
        with failing_for_good():
            await order_steps.leave_store(self._engine, self._signals, step)

    @activity.defn(name=ids.ACTIVITY_SETTLE_SHIPMENT)
    async def settle_shipment(self, step: ShipmentSettlement) -> None:
        with failing_for_good():
            await order_steps.settle_shipment(self._engine, step)

    @activity.defn(name=ids.ACTIVITY_RECORD_PICKUP_UNLOCKED)
    async def record_pickup_unlocked(self, step: PickupUnlocked) -> None:
        with failing_for_good():
            await order_steps.record_pickup_unlocked(self._engine, step)

    @activity.defn(name=ids.ACTIVITY_RECORD_AND_TELL)
    async def record_and_tell(self, step: RecordAndTell) -> bool:
        with failing_for_good():
            return await order_steps.record_and_tell(self._engine, self._messenger, step)
