"""The events a channel hears about its orders (version 1): what happened, numbered per order without gaps,
each with the order as it stands after the step. docs/events.schema.json is generated from `OrderEvent`."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from domain.contract import Contract
from domain.status import OrderStatus

EVENTS_VERSION = 1


class OrderEventType(StrEnum):
    RESERVED = "order.reserved"
    REJECTED = "order.rejected"
    ACCEPTED = "order.accepted"
    PICKED = "order.picked"
    READY_FOR_PICKUP = "order.ready_for_pickup"
    CHECKED_IN = "order.checked_in"
    SLOT_BOOKED = "order.slot_booked"
    COLLECTED = "order.collected"
    CANCELLED = "order.cancelled"
    EXPIRED = "order.expired"
    REROUTED = "order.rerouted"
    SPLIT = "order.split"
    AWAITING_CUSTOMER = "order.awaiting_customer"
    SWITCHED_TO_DELIVERY = "order.switched_to_delivery"
    SHIPPED = "order.shipped"
    PARKED = "order.parked"
    REFUNDED = "order.refunded"
    RETURN_RECEIVED = "return.received"
    RETURN_INSPECTED = "return.inspected"
    RETURN_REFUNDED = "return.refunded"
    RETURN_CLOSED = "return.closed"


class EventLine(Contract):
    sku: str
    quantity: int
    unit_price: Decimal


class EventSlot(Contract):
    starts_at: datetime
    ends_at: datetime


class EventCheckIn(Contract):
    """Where the customer is: `stage` on_the_way | here, `place` in_store | curbside (no car plate)."""

    stage: str
    place: str
    bay: str | None = None
    at: datetime


class OrderSnapshot(Contract):
    """The order after the step that raised the event."""

    status: OrderStatus
    store_id: str
    lines: list[EventLine] = Field(description="what the order still holds")
    currency: str
    total: Decimal = Field(description="what the channel order was placed for")
    refunded: Decimal = Field(description="given back to the customer so far")
    ready_by: datetime | None = None
    ready_at: datetime | None = None
    pickup_deadline: datetime | None = None
    staging_location: str | None = None
    pickup_slot: EventSlot | None = None
    check_in: EventCheckIn | None = None
    collected: list[EventLine] = Field(default=[], description="units handed over, at their unit price")
    previous_stores: list[str] = []
    split_from: str | None = Field(default=None, description="the order these lines were split off")
    splits: list[str] = Field(default=[], description="orders preparing lines this one could not find")
    tracking_number: str | None = None


class ReturnSnapshot(Contract):
    return_id: str
    number: int
    status: Literal["received", "inspected", "refunded", "closed"]


class EventDetails(Contract):
    """What this event adds to the order's state (only the fields of its type are set)."""

    from_store: str | None = Field(default=None, description="order.rerouted: the store it left")
    to_store: str | None = Field(default=None, description="order.rerouted: the store it went to")
    split_orders: list[str] = Field(default=[], description="order.split: the orders split off by this step")
    refund_amount: Decimal | None = Field(default=None, description="order.refunded: refunded by this step")
    return_: ReturnSnapshot | None = Field(default=None, alias="return", description="return.*")

    model_config = {"populate_by_name": True}


class OrderEvent(Contract):
    """One thing that happened to a channel's order, as delivered to its subscribers."""

    id: str = Field(description="unique per event; a retried delivery carries the same id")
    type: OrderEventType
    version: Literal[1] = 1  # EVENTS_VERSION
    order_id: str
    channel: str
    channel_order_id: str
    sequence: int = Field(ge=1, description="1, 2, 3... per order, without gaps, in the order of the steps")
    occurred_at: datetime = Field(description="when the step happened (the workflow's clock)")
    actor: str = Field(description="who took the step: a store associate, the customer, support, system")
    reason: str | None = None
    order: OrderSnapshot
    details: EventDetails = Field(default_factory=EventDetails)


def event_schema() -> dict[str, Any]:
    """The JSON Schema of the events (docs/events.schema.json)."""
    schema = OrderEvent.model_json_schema(by_alias=True, mode="serialization")
    schema["$id"] = "https://oms.example/events.schema.json"
    schema["title"] = f"OrderEvent v{EVENTS_VERSION}"
    return schema


if __name__ == "__main__":  # python -m domain.order_events > docs/events.schema.json
    import json

    print(json.dumps(event_schema(), indent=2, sort_keys=True))
