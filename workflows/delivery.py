"""A click & collect order continued as a home delivery: ship from a location with the whole basket,
with the cheapest carrier that meets the promise."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.delivery import choose_carrier, choose_ship_from, tracking_number
    from domain.values import Shipment
    from workflows.activities import CarrierSteps, RoutingSteps, StockSteps
    from workflows.contracts import (
        DeliveryOutcome,
        DeliveryRequest,
        ReservationRequest,
        ShipmentBooking,
        StoreSearch,
    )

from workflows import calls

Steps = TypeVar("Steps")
Arg = TypeVar("Arg")
Result = TypeVar("Result")


@workflow.defn(name=ids.WORKFLOW_DELIVERY)
class DeliveryWorkflow:
    @workflow.run
    async def run(self, request: DeliveryRequest) -> DeliveryOutcome:
        lines = request.lines
        locations = await _step(RoutingSteps.find_stores, StoreSearch(skus=[line.sku for line in lines]))
        origin = choose_ship_from(lines, locations, request.near)
        if origin is None:
            return DeliveryOutcome(failure="no warehouse or shipping store has every line")
        country = request.address.country
        rates = await _step(CarrierSteps.quote, country)
        rate = choose_carrier(rates, country, request.promised_days)
        if rate is None:
            return DeliveryOutcome(
                failure=f"no carrier delivers to {country} within {request.promised_days} days"
            )
        holder = ids.delivery_holder(request.order_id)
        outcome = await _step(
            StockSteps.reserve, ReservationRequest(order_id=holder, store_id=origin.id, lines=lines)
        )
        if not outcome.reserved:
            return DeliveryOutcome(failure=f"{origin.id} no longer has every line")
        shipment = await _step(
            CarrierSteps.book,
            ShipmentBooking(
                shipment=Shipment(
                    order_id=request.order_id,
                    ship_from=origin.id,
                    carrier=rate.carrier,
                    service=rate.service,
                    tracking_number=tracking_number(rate.carrier, request.order_id),
                    cost=rate.price,
                    currency=rate.currency,
                    promised_days=rate.days,
                    lines=lines,
                ),
                address=request.address,
            ),
        )
        await _step(StockSteps.commit, holder)  # the parcel left with the carrier
        return DeliveryOutcome(shipment=shipment)


async def _step(step: Callable[[Steps, Arg], Awaitable[Result]], arg: Arg) -> Result:
    """A database step; these keep Temporal's default local retry threshold, as they always had."""
    return await calls.database(step, arg, local_retry_threshold=None)
