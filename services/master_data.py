"""Master data upserts, one record at a time, shared by the admin API and `oms import`: a record creates
what is new, changes what differs, and leaves alone what it already says (so a second import changes
nothing). On an update, a field left out keeps its value. Refusals name the field (InvalidField)."""

from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import master_data as rows
from adapters.db.stock import known_skus, store_exists
from domain.master_data import (
    LocationRecord,
    ProductRecord,
    SpecialDayFields,
    SpecialDayRecord,
    StoreRecord,
)
from services.errors import InvalidField, NotFound


class Change(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def _store_of(row: dict[str, Any]) -> StoreRecord:
    return StoreRecord.model_validate(row)


async def get_store(conn: AsyncConnection, store_id: str) -> StoreRecord:
    found = await rows.store_rows(conn, [store_id])
    if not found:
        raise NotFound("store", store_id)
    return _store_of(found[0])


async def list_stores(conn: AsyncConnection) -> list[StoreRecord]:
    return [_store_of(row) for row in await rows.store_rows(conn)]


async def upsert_store(conn: AsyncConnection, record: StoreRecord, *, only_new: bool = False) -> Change:
    """Create the store, or change the fields the record sets; `only_new` leaves an existing one alone."""
    found = await rows.store_rows(conn, [record.id], lock=True)
    given = record.model_dump(mode="json", exclude_unset=True)
    if not found:
        new = record.model_dump(mode="json")
        new["special_days"] = new["special_days"] or []
        await rows.write_store(conn, new)
        return Change.CREATED
    if only_new:
        return Change.UNCHANGED
    current = _store_of(found[0]).model_dump(mode="json")
    merged = {**current, **given}
    if merged == current:
        return Change.UNCHANGED
    await rows.write_store(conn, merged)
    return Change.UPDATED


async def add_special_day(conn: AsyncConnection, record: SpecialDayRecord) -> Change:
    """Set one date of a store's calendar (replacing what that date said before)."""
    found = await rows.store_rows(conn, [record.store_id], lock=True)
    if not found:
        raise InvalidField(("store_id",), f"unknown store {record.store_id!r}")
    day = SpecialDayFields.model_validate(record.model_dump(exclude={"store_id"})).model_dump(mode="json")
    days = [
        SpecialDayFields.model_validate(known).model_dump(mode="json") for known in found[0]["special_days"]
    ]
    same = [known for known in days if known["date"] == day["date"]]
    if same == [day]:
        return Change.UNCHANGED
    kept = [known for known in days if known["date"] != day["date"]]
    await rows.set_special_days(conn, record.store_id, sorted([*kept, day], key=_date))
    return Change.UPDATED if same else Change.CREATED


def _date(day: dict[str, Any]) -> str:
    return str(day["date"])


def _product_of(row: dict[str, Any]) -> ProductRecord:
    return ProductRecord.model_validate({key: row[key] for key in ProductRecord.model_fields})


async def get_product(conn: AsyncConnection, sku: str) -> ProductRecord:
    found = await rows.product_rows(conn, [sku])
    if not found:
        raise NotFound("product", sku)
    return _product_of(found[0])


async def list_products(conn: AsyncConnection) -> list[ProductRecord]:
    return [_product_of(row) for row in await rows.product_rows(conn)]


async def upsert_product(conn: AsyncConnection, record: ProductRecord, *, only_new: bool = False) -> Change:
    """Create the product, or change what the record sets; a barcode of another product is refused."""
    found = await rows.product_rows(conn, [record.sku], lock=True)
    if found and only_new:
        return Change.UNCHANGED
    owners = await rows.barcode_owners(conn, record.barcodes)
    for index, code in enumerate(record.barcodes):
        if owners.get(code, record.sku) != record.sku:
            raise InvalidField(("barcodes", index), f"barcode {code} belongs to product {owners[code]!r}")
    if not found:
        await rows.write_product(conn, record.model_dump())
        return Change.CREATED
    current = _product_of(found[0]).model_dump()
    merged = {**current, **record.model_dump(exclude_unset=True)}
    if merged == current:
        return Change.UNCHANGED
    await rows.write_product(conn, merged)
    return Change.UPDATED


async def set_location(conn: AsyncConnection, record: LocationRecord, *, only_new: bool = False) -> Change:
    """Where the store keeps the SKU; both must exist."""
    if not await store_exists(conn, record.store_id):
        raise InvalidField(("store_id",), f"unknown store {record.store_id!r}")
    if not await known_skus(conn, [record.sku]):
        raise InvalidField(("sku",), f"unknown sku {record.sku!r}")
    current = await rows.location_of(conn, record.store_id, record.sku)
    if current == record.location or (current is not None and only_new):
        return Change.UNCHANGED
    await rows.write_location(conn, record.store_id, record.sku, record.location)
    return Change.CREATED if current is None else Change.UPDATED


async def list_locations(conn: AsyncConnection, store_id: str) -> list[LocationRecord]:
    if not await store_exists(conn, store_id):
        raise NotFound("store", store_id)
    return [LocationRecord.model_validate(row) for row in await rows.location_rows(conn, store_id)]
