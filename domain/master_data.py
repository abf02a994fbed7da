"""Master data as ops send it (admin API, `oms import`): stores, products, shelf locations, special days.
One model per record, so a file's row and an HTTP body are refused for the same reasons, naming the field.

CSV cells are text: a week of opening hours may be written `Mo-Fr 09:30-20:00; Sa 10:00-19:00`, a day's
hours `10:00-13:00 14:00-19:00` (or `closed`), barcodes separated by spaces."""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from domain.contract import Contract, PlainLine
from domain.slots import SlotRule
from domain.store_calendar import DayHours
from domain.values import (
    Currency,
    Money,
    OpeningHours,
    RoutingState,
    Sku,
    StoreId,
    StoreKind,
    minor_places,
)

WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
_SPAN = re.compile(r"^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")


def gtin_check_digit(body: str) -> int:
    """GS1 check digit of a GTIN-8/12/13/14 without its last digit: weights 3 and 1 from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def valid_gtin(code: str) -> str:
    if not (code.isascii() and code.isdigit()) or len(code) not in (8, 12, 13, 14):
        raise ValueError(f"{code!r} is not a GTIN: 8, 12, 13 or 14 digits")
    if gtin_check_digit(code[:-1]) != int(code[-1]):
        raise ValueError(f"{code!r}: wrong check digit (expected {gtin_check_digit(code[:-1])})")
    return code


Gtin = Annotated[str, AfterValidator(valid_gtin)]


def _words(value: Any) -> Any:
    """A CSV cell of several values: separated by spaces, commas or semicolons."""
    return [word for word in re.split(r"[\s,;]+", value) if word] if isinstance(value, str) else value


def _spans(text: str) -> list[dict[str, str]]:
    """'10:00-13:00 14:00-19:00' -> [{opens, closes}, ...]; 'closed' or nothing -> []"""
    if text.strip().lower() in ("", "closed"):
        return []
    spans = []
    for word in re.split(r"[\s,]+", text.strip()):
        match = _SPAN.match(word)
        if not match:
            raise ValueError(f"{word!r} is not hours: write 10:00-19:00")
        spans.append({"opens": match[1], "closes": match[2]})
    return spans


def _day_hours(value: Any) -> Any:
    return _spans(value) if isinstance(value, str) else value


def _days(text: str) -> list[int]:
    """'Mo-Fr' -> [0..4], 'Sa' -> [5], 'Mo,We' -> [0, 2]"""
    days: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"{part.strip()!r} is not a weekday: write Mo, Tu, We, Th, Fr, Sa, Su or Mo-Fr")
        days += range(WEEKDAYS.index(first), WEEKDAYS.index(last or first) + 1)
    return days


def _week(value: Any) -> Any:
    """'Mo-Fr 09:30-20:00; Sa 10:00-19:00' -> opening hours per weekday."""
    if not isinstance(value, str):
        return value
    hours = []
    for clause in filter(None, (c.strip() for c in value.split(";"))):
        days, _, spans = clause.partition(" ")
        for weekday in _days(days):
            hours += [{"weekday": weekday, **span} for span in _spans(spans)]
    return hours


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Paris)") from None
    return name


def _hours_in_order(hours: list[OpeningHours]) -> list[OpeningHours]:
    for entry in hours:
        if entry.closes <= entry.opens:
            raise ValueError(f"weekday {entry.weekday}: closes must be after opens")
    return hours


DaySpans = Annotated[list[DayHours], BeforeValidator(_day_hours)]
"""A day's opening spans; in CSV `10:00-13:00 14:00-19:00`, or `closed`."""
Name = Annotated[PlainLine, Field(min_length=1, max_length=200)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class SpecialDayFields(Contract):
    date: date
    hours: DaySpans = Field(default_factory=list, max_length=4, description="empty: closed all day")
    note: PlainLine | None = Field(default=None, max_length=120)


class StoreFields(Contract):
    """A store as ops describe it. On an update, a field left out keeps its value (`routing` too)."""

    name: Name
    city: Name
    address: Annotated[PlainLine, Field(min_length=1, max_length=300)]
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    timezone: Annotated[str, AfterValidator(_timezone)] = Field(examples=["Europe/Paris"])
    opening_hours: Annotated[list[OpeningHours], BeforeValidator(_week), AfterValidator(_hours_in_order)] = (
        Field(
            max_length=28, description="per weekday (0 = Monday); in CSV: Mo-Fr 09:30-20:00; Sa 10:00-19:00"
        )
    )
    special_days: list[SpecialDayFields] | None = Field(
        default=None, max_length=400, description="dates whose hours replace the weekly ones"
    )
    email: Email | None = Field(default=None, description="where store alerts go")
    kind: StoreKind = StoreKind.STORE
    routing: RoutingState = RoutingState.OPEN
    orders_per_hour: int | None = Field(default=None, ge=1, le=10_000)
    orders_per_day: int | None = Field(default=None, ge=1, le=100_000)
    ships: bool = False
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    slots: list[SlotRule] | None = Field(
        default=None, max_length=7, description="pickup slot length and capacity per weekday"
    )

    @field_validator("special_days")
    @classmethod
    def _one_entry_per_date(cls, days: list[SpecialDayFields] | None) -> list[SpecialDayFields] | None:
        dates = [day.date for day in days or []]
        if len(dates) != len(set(dates)):
            raise ValueError("one special day per date")
        return days

    @field_validator("slots")
    @classmethod
    def _one_rule_per_weekday(cls, rules: list[SlotRule] | None) -> list[SlotRule] | None:
        weekdays = [rule.weekday for rule in rules or []]
        if len(weekdays) != len(set(weekdays)):
            raise ValueError("one slot rule per weekday")
        return rules


class StoreRecord(StoreFields):
    id: StoreId


class ProductFields(Contract):
    """A product of the catalogue; an inactive one stays for orders placed before, and new ones refuse it."""

    name: Name
    unit_price: Money
    currency: Currency
    barcodes: Annotated[list[Gtin], BeforeValidator(_words)] = Field(
        default_factory=list, max_length=20, description="GTIN/EAN, check digit verified; the first is shown"
    )
    active: bool = True

    @field_validator("barcodes")
    @classmethod
    def _distinct(cls, barcodes: list[str]) -> list[str]:
        if len(barcodes) != len(set(barcodes)):
            raise ValueError("a barcode is listed twice")
        return barcodes

    @model_validator(mode="after")
    def _price_in_minor_units(self) -> "ProductFields":
        places = minor_places(self.currency)
        if self.unit_price != self.unit_price.quantize(Decimal(1).scaleb(-places)):
            message = f"{self.currency} has {places} decimal places: the price cannot be charged"
            error = PydanticCustomError("value_error", message)
            details = InitErrorDetails(type=error, loc=("unit_price",), input=self.unit_price)
            raise ValidationError.from_exception_data(type(self).__name__, [details])
        return self


class ProductRecord(ProductFields):
    sku: Sku


Location = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,31}$", examples=["A03-B2"])]


class LocationRecord(Contract):
    """Where a store keeps a SKU (aisle-bay-shelf)."""

    store_id: StoreId
    sku: Sku
    location: Location


class SpecialDayRecord(SpecialDayFields):
    """One special day of one store (a row of a special-days file)."""

    store_id: StoreId
