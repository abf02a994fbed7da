"""Master data as ops send it: the records' rules (hours, barcodes, prices) and how import files read."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.master_data import ProductRecord, SpecialDayRecord, StoreRecord, gtin_check_digit, valid_gtin
from domain.store_work import Product, ScanOutcome, pick_list, scan
from domain.values import OrderLine
from services.importer import FileReport, Kind, Source, UnknownKind, _check, _json_rows, kind_of

STORE = {
    "id": "test-store",
    "name": "Test",
    "city": "Paris",
    "address": "1 rue de Rivoli",
    "latitude": 48.86,
    "longitude": 2.34,
    "timezone": "Europe/Paris",
    "opening_hours": "Mo-Fr 09:30-20:00; Sa 10:00-13:00 14:00-19:00",
}


def fields(error: ValidationError) -> set[str]:
    return {".".join(map(str, e["loc"])) for e in error.errors()}


def test_every_gtin_length_is_checked_by_its_check_digit() -> None:
    for code in ("3760123451017", "96385074", "036000291452", "10012345678902"):
        assert valid_gtin(code) == code
    assert gtin_check_digit("376012345101") == 7
    with pytest.raises(ValueError, match="wrong check digit \\(expected 7\\)"):
        valid_gtin("3760123451018")
    with pytest.raises(ValueError, match="not a GTIN"):
        valid_gtin("37601234510")


def test_a_week_written_as_text_reads_as_opening_hours_per_weekday() -> None:
    store = StoreRecord.model_validate(STORE)
    assert [(h.weekday, h.opens.isoformat("minutes")) for h in store.opening_hours] == [
        (0, "09:30"),
        (1, "09:30"),
        (2, "09:30"),
        (3, "09:30"),
        (4, "09:30"),
        (5, "10:00"),
        (5, "14:00"),
    ]


def test_store_fields_are_refused_by_name() -> None:
    bad = {
        **STORE,
        "latitude": 91,
        "timezone": "Europe/Atlantis",
        "opening_hours": "Mo 20:00-09:00",
        "email": "not-an-email",
        "kind": "kiosk",
        "country": "France",
        "orders_per_hour": 0,
        "slots": [{"weekday": 0, "minutes": 1, "capacity": 2}],
    }
    with pytest.raises(ValidationError) as refused:
        StoreRecord.model_validate(bad)
    assert fields(refused.value) == {
        "latitude",
        "timezone",
        "opening_hours",
        "email",
        "kind",
        "country",
        "orders_per_hour",
        "slots.0.minutes",
    }
    with pytest.raises(ValidationError) as unreadable:
        StoreRecord.model_validate({**STORE, "opening_hours": "Someday 10:00-12:00"})
    assert "is not a weekday" in str(unreadable.value)


def test_product_fields_are_refused_by_name() -> None:
    with pytest.raises(ValidationError) as refused:
        ProductRecord.model_validate(
            {
                "sku": "bad sku",
                "name": "",
                "unit_price": "-1",
                "currency": "XYZ",
                "barcodes": "123 3760123451017 3760123451017",
            }
        )
    assert fields(refused.value) == {"sku", "name", "unit_price", "currency", "barcodes.0"}
    with pytest.raises(ValidationError, match="a barcode is listed twice") as twice:
        ProductRecord.model_validate(
            {"sku": "A", "name": "n", "unit_price": "1", "currency": "EUR", "barcodes": "96385074 96385074"}
        )
    assert fields(twice.value) == {"barcodes"}
    with pytest.raises(ValidationError) as yen:
        ProductRecord.model_validate({"sku": "A", "name": "n", "unit_price": "10.50", "currency": "JPY"})
    assert fields(yen.value) == {"unit_price"}


def test_a_special_day_without_hours_is_closed() -> None:
    closed = SpecialDayRecord.model_validate({"store_id": "s", "date": "2026-12-25", "hours": "closed"})
    assert closed.hours == []
    short = SpecialDayRecord.model_validate({"store_id": "s", "date": "2026-12-24", "hours": "09:00-16:00"})
    assert short.hours[0].closes.hour == 16


def test_the_kind_of_a_file_comes_from_its_name_or_the_option() -> None:
    assert kind_of(Path("stores.csv")) is Kind.STORES
    assert kind_of(Path("2026-products.json")) is Kind.PRODUCTS
    assert kind_of(Path("paris_special-days.csv")) is Kind.SPECIAL_DAYS
    assert kind_of(Path("export.csv"), "locations") is Kind.LOCATIONS
    with pytest.raises(UnknownKind, match="--kind"):
        kind_of(Path("export.csv"))


def test_json_rows_are_numbered_by_the_line_they_start_on() -> None:
    text = '[\n  {"sku": "A"},\n\n  {\n    "sku": "B"\n  }\n]\n'
    assert [(row.line, row.data["sku"]) for row in _json_rows(text)] == [(2, "A"), (4, "B")]


def test_csv_rows_name_file_line_and_field_and_a_duplicate_key() -> None:
    text = (
        "sku,name,unit_price,currency,barcodes\n"
        "A-1,Tent,10.00,EUR,3760123451017\n"
        "A-2,Stove,ten,EUR,\n"
        "A-1,Tent again,10.00,EUR,\n"
        "A-3,Lamp,1.00,EUR,3760123451018\n"
    )
    report = FileReport("products.csv", Kind.PRODUCTS)
    rows = _check(Source("products.csv", Kind.PRODUCTS, text), report, {})
    assert [row.record is not None for row in rows] == [True, False, False, False]
    assert [(e.line, e.field) for e in report.errors] == [(3, "unit_price"), (4, "sku"), (5, "barcodes.0")]
    assert "already on products.csv:2" in report.errors[1].message


def test_any_barcode_of_a_product_counts_on_the_pick_list() -> None:
    tent = Product("TENT", "Tent", "3760123451017", "C02", other_barcodes=("96385074",))
    lines = pick_list([OrderLine(sku="TENT", quantity=2, unit_price="10")], {"TENT": tent})
    first = scan(lines, "3760123451017")
    second = scan(first.lines, "96385074")
    assert (first.outcome, second.outcome) == (ScanOutcome.COUNTED, ScanOutcome.COUNTED)
    assert second.lines[0].done
    assert scan(second.lines, "12345670").outcome is ScanOutcome.NOT_ON_ORDER


def test_a_file_that_cannot_be_read_is_named_and_a_row_longer_than_its_header_too() -> None:
    report = FileReport("products.json", Kind.PRODUCTS)
    assert _check(Source("products.json", Kind.PRODUCTS, '[{"sku": "A",'), report, {}) == []
    assert report.errors[0].line == 0 and "cannot be read" in report.errors[0].message
    text = "store_id,sku,location\nparis-rivoli,TENT-2P,A01,surprise\n"
    long_row = FileReport("locations.csv", Kind.LOCATIONS)
    _check(Source("locations.csv", Kind.LOCATIONS, text), long_row, {})
    assert [(e.line, e.field) for e in long_row.errors] == [(2, "cells_beyond_the_header")]
