"""Carrier adapter. The embedded carrier quotes the configured rate table and books shipments in the
database with a stable tracking number; a real carrier API would sit behind the same two activities."""

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from adapters.db import shipments
from domain import ids
from domain.values import CarrierRate, Shipment
from workflows.activities import CarrierSteps
from workflows.contracts import ShipmentBooking


class CarrierActivities(CarrierSteps):
    def __init__(self, engine: AsyncEngine, rates: list[CarrierRate]) -> None:
        self._engine = engine
        self._rates = rates

    @activity.defn(name=ids.ACTIVITY_QUOTE_CARRIERS)
    async def quote(self, country: str) -> list[CarrierRate]:
        return [rate for rate in self._rates if rate.country == country]

    @activity.defn(name=ids.ACTIVITY_BOOK_SHIPMENT)
    async def book(self, booking: ShipmentBooking) -> Shipment:
        """Idempotent by order: a retry returns the shipment booked first."""
        async with self._engine.begin() as conn:
            return await shipments.create(conn, booking.shipment, booking.address)
