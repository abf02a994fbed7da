"""Value objects of the order world: customers, lines, stores, picks, timeline entries."""

import hashlib
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from babel.core import get_global
from babel.numbers import get_currency_precision
from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from domain.contract import Contract, PlainLine
from domain.ids import CHANNEL_REF_PATTERN, order_workflow_id
from domain.status import OrderStatus
from domain.store_calendar import OpeningHours as OpeningHours  # re-exported: its home before calendars
from domain.store_calendar import SpecialDay

ChannelRef = Annotated[str, Field(pattern=CHANNEL_REF_PATTERN, examples=["webshop"])]


Sku = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", examples=["SKU-TENT-2P"])]


StoreId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", examples=["paris-rivoli"])]


Actor = Annotated[str, Field(min_length=1, max_length=120, examples=["store:paris-rivoli"])]


Reason = Annotated[str, Field(min_length=1, max_length=500)]


Quantity = Annotated[int, Field(gt=0, le=999)]


MONEY_DIGITS, MONEY_PLACES = 12, 2  # NUMERIC(12, 2): the amount columns (payments, shipments, products)
MAX_AMOUNT = Decimal(10 ** (MONEY_DIGITS - MONEY_PLACES)) - Decimal(1).scaleb(-MONEY_PLACES)
Money = Annotated[Decimal, Field(ge=0, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)]


def _minor_units() -> dict[str, int]:
    """Currencies some country uses today (CLDR data, through Babel), with the digits of their minor unit."""
    territories = get_global("territory_currencies").values()
    in_use = {
        code for currencies in territories for code, _, end, tender in currencies if end is None and tender
    }
    return {code: get_currency_precision(code) for code in in_use}


_MINOR_UNITS = (
    _minor_units()
)  # read once, at import: these validators also run inside workflows (no I/O there)


def currency_in_use(code: str) -> str:
    if code not in _MINOR_UNITS:
        raise ValueError(f"{code} is not a currency in use today (ISO 4217)")
    return code


def minor_places(code: str) -> int:
    """Decimal places a price in this currency may have (JPY none, EUR two)."""
    return min(MONEY_PLACES, _MINOR_UNITS[code])


Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"]), AfterValidator(currency_in_use)]


class ContactPreference(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    BOTH = "both"
    NONE = "none"


class Customer(Contract):
    """Who collects the order; reachable by email or phone, not necessarily both (docs/channels.md)."""

    name: PlainLine = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    phone: PlainLine | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="E.164 (+33612345678), or a local number read in the pickup store's country; one "
        "that cannot be read is kept as given and gets no SMS",
    )
    locale: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    contact: ContactPreference | None = Field(
        default=None, description="how the customer agreed to be contacted; unset means email and SMS"
    )
    contact_note: str | None = Field(
        default=None, max_length=300, description="set by the OMS: why a contact is not used (no SMS...)"
    )

    @model_validator(mode="after")
    def _reachable(self) -> "Customer":
        if not self.email and not self.phone:
            raise ValueError("an email or a phone is needed to reach the customer")
        return self


class OrderLine(Contract):
    sku: Sku
    quantity: Quantity
    unit_price: Money

    @model_validator(mode="after")
    def _amount_fits(self) -> "OrderLine":
        if self.amount > MAX_AMOUNT:
            raise ValueError(
                f"unit_price × quantity is {self.amount}, beyond {MAX_AMOUNT}, the largest amount recorded"
            )
        return self

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


ChannelId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9:/._-]+$")]


class ChannelReference(Contract):
    """How the channel's own API names the order and its lines (Shopify: GIDs), kept at intake by the
    channel's adapter so that the order's progress can be reported back to the channel."""

    order: ChannelId = Field(examples=["gid://shopify/Order/820982911946154508"])
    lines: dict[str, list[ChannelId]] = Field(
        default_factory=dict, description="our SKU -> the channel's line item ids that carry it"
    )


class OrderPlacement(Contract):
    """What a sales channel sends to place a click & collect order."""

    channel: ChannelRef
    channel_order_id: ChannelRef
    store_id: StoreId
    customer: Customer
    lines: list[OrderLine] = Field(min_length=1, max_length=100)
    currency: Currency
    hold_id: str | None = Field(
        default=None, pattern=r"^hold-[0-9a-f]{32}$", description="a checkout hold this order converts"
    )
    accept_alternative: bool | None = Field(
        default=None,
        description="when the chosen store cannot serve the basket, take the best nearby store instead "
        "of refusing the order",
    )
    delivery_address: "Address | None" = Field(
        default=None, description="where to ship if the order has to switch to home delivery"
    )
    pickup_slot: datetime | None = Field(
        default=None,
        description="the start of the pickup slot chosen at checkout (GET /v1/stores/{store_id}/slots); "
        "booked with the order when a place is left, else the customer chooses on the pickup page",
    )
    channel_reference: ChannelReference | None = Field(
        default=None,
        description="set by a channel adapter only (Shopify): where to report the order's progress",
    )

    @field_validator("lines", mode="after")
    @classmethod
    def _total_fits(cls, lines: list[OrderLine]) -> list[OrderLine]:
        total = sum((line.amount for line in lines), Decimal("0"))
        if total > MAX_AMOUNT:
            raise ValueError(
                f"the order total {total} is beyond {MAX_AMOUNT}, the largest amount a payment records"
            )
        return lines

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> "OrderPlacement":
        skus = [line.sku for line in self.lines]
        if len(skus) != len(set(skus)):
            raise ValueError("lines: each sku may appear on one line only")
        return self

    @model_validator(mode="after")
    def _prices_in_minor_units(self) -> "OrderPlacement":
        """JPY has no cents: a price finer than the currency's minor unit cannot be charged."""
        places = min(MONEY_PLACES, _MINOR_UNITS[self.currency])
        message = f"{self.currency} has {places} decimal places: the price cannot be charged"
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("value_error", message),
                loc=("lines", index, "unit_price"),
                input=line.unit_price,
            )
            for index, line in enumerate(self.lines)
            if line.unit_price != line.unit_price.quantize(Decimal(1).scaleb(-places))
        ]
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    @property
    def order_id(self) -> str:
        return order_workflow_id(self.channel, self.channel_order_id)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))

    def fingerprint(self) -> str:
        """A digest of the placement, to tell a retried POST from a conflicting reuse of its id.

        Unset optional fields are left out, so adding one to the contract keeps old digests valid
        (running workflows compare digests)."""
        return hashlib.sha256(self.model_dump_json(exclude_none=True).encode()).hexdigest()


class Address(Contract):
    line1: PlainLine = Field(min_length=1, max_length=200)
    line2: PlainLine | None = Field(default=None, max_length=200)
    postcode: PlainLine = Field(min_length=1, max_length=20)
    city: PlainLine = Field(min_length=1, max_length=100)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2", examples=["FR"])


class StoreKind(StrEnum):
    STORE = "store"  # a shop customers collect from
    WAREHOUSE = "warehouse"  # ships only


class RoutingState(StrEnum):
    OPEN = "open"  # takes new and re-routed orders
    CLOSED = "closed"  # closed today (holiday, works): no new orders
    FROZEN = "frozen"  # stock count or incident: no new orders


class StoreProfile(Contract):
    id: StoreId
    name: str
    city: str
    address: str
    latitude: float
    longitude: float
    timezone: str
    opening_hours: list[OpeningHours]
    special_days: list[SpecialDay] = Field(
        default_factory=list, max_length=400, description="dates whose hours replace the weekly ones"
    )
    email: str | None = None
    kind: StoreKind = StoreKind.STORE
    routing: RoutingState = RoutingState.OPEN
    orders_per_hour: int | None = Field(default=None, ge=1, description="orders it can prepare per hour")
    orders_per_day: int | None = Field(default=None, ge=1, description="click & collect orders per day")
    ships: bool = Field(default=False, description="ships home deliveries")
    country: str | None = None


class MissingLine(Contract):
    sku: str
    requested: int
    available: int


class PickedLine(Contract):
    sku: Sku
    quantity: int = Field(ge=0, le=999)


class ShortReason(StrEnum):
    NOT_FOUND = "not_found"  # not on the shelf: the count was wrong
    DAMAGED = "damaged"  # found but unsellable
    WRONG_ITEM = "wrong_item"  # the shelf holds something else under this SKU
    OTHER = "other"


class ShortLine(Contract):
    sku: Sku
    missing: Quantity = Field(description="units the store could not pick")
    reason: ShortReason


class PickupPlace(StrEnum):
    IN_STORE = "in_store"
    CURBSIDE = "curbside"  # the store brings the order out to the customer's car


class ArrivalStage(StrEnum):
    ON_THE_WAY = "on_the_way"
    HERE = "here"


class CheckIn(Contract):
    """The customer said they are coming (or are here): where, and for curbside, which car and bay.
    `bring_out_by` is set once the order is ready and the customer waits at the curb."""

    stage: ArrivalStage
    place: PickupPlace
    car: str | None = None
    bay: str | None = None
    at: datetime
    bring_out_by: datetime | None = None

    @property
    def waiting_at_curb(self) -> bool:
        return self.stage is ArrivalStage.HERE and self.place is PickupPlace.CURBSIDE


class TimelineEntry(Contract):
    at: datetime
    status: OrderStatus
    actor: str
    reason: str | None = None


class StockAtRisk(Contract):
    """The store's shelf no longer covers what is reserved for this order (a sale or a count took it)."""

    store_id: str
    sku: str
    short_by: int
    detected_at: datetime


class CarrierRate(Contract):
    carrier: str
    service: str
    country: str
    days: int = Field(ge=0, description="working days to deliver")
    price: Money
    currency: Currency


class Shipment(Contract):
    order_id: str
    ship_from: str
    carrier: str
    service: str
    tracking_number: str
    cost: Money
    currency: Currency
    promised_days: int
    lines: list[OrderLine]


class PreparationSla(Contract):
    """The store's deadlines for this order, in opening time, and when each becomes at risk."""

    accept_at_risk: datetime
    accept_by: datetime
    ready_at_risk: datetime
    ready_by: datetime


class SplitOrigin(Contract):
    """Where a split order comes from: the order whose store could not find these lines."""

    order_id: str
    part: int = Field(ge=2, description="the split's number within the channel order (the first is 1)")
    store: "StoreProfile"
    reason: str


OrderPlacement.model_rebuild()
SplitOrigin.model_rebuild()
