"""Values refused at the door: amounts that would not fit their column, unknown currencies, prices finer
than the currency's minor unit, names with line breaks or bidi controls."""

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Numeric

from adapters.db import event_tables  # noqa: F401 - its tables join the metadata
from adapters.db.tables import metadata
from domain.values import (
    MAX_AMOUNT,
    MONEY_DIGITS,
    MONEY_PLACES,
    Address,
    CarrierRate,
    Customer,
    OrderPlacement,
)
from tests.conftest import placement


def placed(**changes: Any) -> dict[str, Any]:
    document = placement().model_dump(mode="json")
    lines = changes.pop("lines", None)
    if lines is not None:
        document["lines"] = [{"sku": sku, "quantity": qty, "unit_price": price} for sku, qty, price in lines]
    return {**document, **changes}


def refusal(document: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as refused:
        OrderPlacement.model_validate(document)
    return [(tuple(error["loc"]), error["msg"]) for error in refused.value.errors()]


def test_every_amount_column_has_the_precision_the_domain_checks() -> None:
    amounts = [
        (table.name, column.name, column.type)
        for table in metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Numeric)
    ]
    assert {(name, column) for name, column, _ in amounts} >= {
        ("payment_entries", "amount"),
        ("shipments", "cost"),
        ("products", "unit_price"),
    }
    assert all((kind.precision, kind.scale) == (MONEY_DIGITS, MONEY_PLACES) for _, _, kind in amounts)
    assert Decimal("9999999999.99") == MAX_AMOUNT


def test_a_line_whose_amount_overflows_the_payment_column_is_refused() -> None:
    [(loc, message)] = refusal(placed(lines=[("TENT-2P", 2, "9999999999.99")]))
    assert loc == ("lines", 0) and "9999999999.99" in message


def test_an_order_total_beyond_the_payment_column_is_refused() -> None:
    lines = [("TENT-2P", 1, "6000000000.00"), ("BOTTLE-1L", 1, "5000000000.00")]
    [(loc, message)] = refusal(placed(lines=lines))
    assert loc == ("lines",) and "total" in message and "9999999999.99" in message


def test_the_largest_total_that_fits_is_taken() -> None:
    order = OrderPlacement.model_validate(placed(lines=[("TENT-2P", 1, "9999999999.99")]))
    assert order.total == MAX_AMOUNT


@pytest.mark.parametrize("currency", ["ZZZ", "XXX", "FRF", "XAU"])
def test_a_currency_no_country_uses_is_refused(currency: str) -> None:
    [(loc, message)] = refusal(placed(currency=currency))
    assert loc == ("currency",) and currency in message


@pytest.mark.parametrize(("currency", "price"), [("JPY", "1000.50"), ("ISK", "10.1"), ("EUR", "1.5")])
def test_prices_within_the_currency_minor_unit_are_taken(currency: str, price: str) -> None:
    if currency != "EUR":
        [(loc, message)] = refusal(placed(currency=currency, lines=[("TENT-2P", 1, price)]))
        assert loc == ("lines", 0, "unit_price") and currency in message
    whole = OrderPlacement.model_validate(placed(currency=currency, lines=[("TENT-2P", 1, "1000.00")]))
    assert whole.lines[0].unit_price == Decimal(1000)


def test_carrier_rates_fit_the_cost_column_and_name_a_currency_in_use() -> None:
    with pytest.raises(ValidationError):
        CarrierRate(carrier="X", service="Y", country="FR", days=1, price=Decimal("1e11"), currency="EUR")
    with pytest.raises(ValidationError):
        CarrierRate(carrier="X", service="Y", country="FR", days=1, price=Decimal("1"), currency="ZZZ")


@pytest.mark.parametrize(
    "name",
    [
        "Camille\nMartin",
        "Camille\r\nMartin",
        "Camille\tMartin",
        "\u202eeniLlimaC",  # right-to-left override: shows reversed
        "Camille\u200f Martin",  # right-to-left mark
        "Camille \u2066Martin\u2069",  # isolates
        "Camille\u2028Martin",  # line separator
        "Camille\x1b[31mMartin",  # a terminal escape in the logs
    ],
)
def test_a_name_with_a_line_break_or_bidi_control_is_refused(name: str) -> None:
    document = placed()
    document["customer"]["name"] = name
    [(loc, message)] = refusal(document)
    assert loc == ("customer", "name") and "U+" in message


@pytest.mark.parametrize(
    "name", ["Zoë Lefèvre", "محمد علي", "דוד כהן", "Nguyễn Thị Minh", "می\u200cخواهم", "O'Brien-Smith"]
)
def test_names_in_any_script_are_taken(name: str) -> None:
    assert Customer(name=name, email="a@example.com", phone="+33612345678").name == name


def test_address_lines_are_single_lines_too() -> None:
    with pytest.raises(ValidationError) as refused:
        Address(line1="1 rue de Rivoli\nBâtiment B", postcode="75001", city="Paris", country="FR")
    assert refused.value.errors()[0]["loc"] == ("line1",)
