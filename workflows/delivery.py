"""A click & collect order continued as a home delivery: ship from a location with the whole basket,
with the cheapest carrier that meets the promise."""

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.decisions import RoutingCandidate
    from domain.delivery import choose_carrier, choose_ship_from, tracking_number
    from domain.values import CarrierRate, Shipment
    from workflows.contracts import (
        DeliveryOutcome,
        DeliveryRequest,
        ReservationOutcome,
        ReservationRequest,
        ShipmentBooking,
        StoreSearch,
    )

STEP_TIMEOUT = timedelta(seconds=30)
STEP_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30))


@workflow.defn(name=ids.WORKFLOW_DELIVERY)
class DeliveryWorkflow:
    @workflow.run
    async def run(self, request: DeliveryRequest) -> DeliveryOutcome:
        lines = request.lines
        locations: list[RoutingCandidate] = await self._step(
            ids.ACTIVITY_FIND_STORES,
            StoreSearch(skus=[line.sku for line in lines]),
            result_type=list[RoutingCandidate],
        )
        origin = choose_ship_from(lines, locations, request.near)
        if origin is None:
            return DeliveryOutcome(failure="no warehouse or shipping store has every line")
        country = request.address.country
        rates: list[CarrierRate] = await self._step(
            ids.ACTIVITY_QUOTE_CARRIERS, country, result_type=list[CarrierRate]
        )
        rate = choose_carrier(rates, country, request.promised_days)
        if rate is None:
            return DeliveryOutcome(
                failure=f"no carrier delivers to {country} within {request.promised_days} days"
            )
        holder = ids.delivery_holder(request.order_id)
        outcome: ReservationOutcome = await self._step(
            ids.ACTIVITY_RESERVE_STOCK,
            ReservationRequest(order_id=holder, store_id=origin.id, lines=lines),
            result_type=ReservationOutcome,
        )
        if not outcome.reserved:
            return DeliveryOutcome(failure=f"{origin.id} no longer has every line")
        shipment: Shipment = await self._step(
            ids.ACTIVITY_BOOK_SHIPMENT,
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
            result_type=Shipment,
        )
        await self._step(ids.ACTIVITY_COMMIT_STOCK, holder)  # the parcel left with the carrier
        return DeliveryOutcome(shipment=shipment)

    async def _step(self, activity: str, arg: object, *, result_type: type | None = None) -> Any:
        return await workflow.execute_local_activity(
            activity,
            arg,
            result_type=result_type,
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=STEP_RETRY,
        )
