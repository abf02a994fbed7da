"""Master data upserts, shared by the admin API and `oms import`: a record creates what is new, changes
what differs, and leaves alone what it already says (so a second import changes nothing). On an update,
a field left out keeps its value. Refusals name the field (InvalidField).

The rows a batch names are read once, up front and locked (`Known`), and kept up to date as the batch
writes: an import of thousands of rows reads a few times and writes only what changes."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import master_data as rows
from domain.master_data import (
    LocationRecord,
    ProductRecord,
    SpecialDayFields,
    SpecialDayRecord,
    StoreRecord,
)
from services.errors import InvalidField, NotFound

CHUNK = 5000
"""Keys per read of the rows a batch names."""


class Change(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


Record = dict[str, Any]


@dataclass
class Known:
    """What the database holds of the stores, products, barcodes and locations a batch names."""

    stores: dict[str, Record] = field(default_factory=dict)  # id -> StoreRecord fields (JSON)
    products: dict[str, Record] = field(default_factory=dict)  # sku -> ProductRecord fields
    owners: dict[str, str] = field(default_factory=dict)  # barcode -> sku
    locations: dict[tuple[str, str], str] = field(default_factory=dict)  # (store, sku) -> location
    batch: bool = False  # new products and locations wait for `flush` (written a few statements at a time)
    new_products: list[Record] = field(default_factory=list)
    new_locations: list[Record] = field(default_factory=list)


async def flush(conn: AsyncConnection, known: Known) -> None:
    """Write what the batch holds back: new products (and their barcodes), then shelf locations."""
    new_products, known.new_products = known.new_products, []
    new_locations, known.new_locations = known.new_locations, []
    await rows.add_products(conn, new_products)
    await rows.write_locations(conn, new_locations)


async def read_known(
    conn: AsyncConnection,
    *,
    store_ids: Iterable[str] = (),
    skus: Iterable[str] = (),
    barcodes: Iterable[str] = (),
    stores_of_locations: Iterable[str] = (),
) -> Known:
    """The rows named, stores and products locked until the transaction ends."""
    known = Known()
    for ids in batched(store_ids, CHUNK):
        for row in await rows.store_rows(conn, ids, lock=True):
            known.stores[row["id"]] = _store(row)
    for chunk in batched(skus, CHUNK):
        for row in await rows.product_rows(conn, chunk, lock=True):
            known.products[row["sku"]] = _product(row)
    for chunk in batched(barcodes, CHUNK):
        known.owners |= await rows.barcode_owners(conn, chunk)
    for store_id in sorted(set(stores_of_locations)):
        known.locations |= {
            (store_id, r["sku"]): r["location"] for r in await rows.location_rows(conn, store_id)
        }
    return known


def batched(keys: Iterable[str], size: int) -> list[list[str]]:
    ordered = sorted(set(keys))
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def _store(row: Record) -> Record:
    return StoreRecord.model_validate(row).model_dump(mode="json")


def _product(row: Record) -> Record:
    return ProductRecord.model_validate({key: row[key] for key in ProductRecord.model_fields}).model_dump()


async def get_store(conn: AsyncConnection, store_id: str) -> StoreRecord:
    found = await rows.store_rows(conn, [store_id])
    if not found:
        raise NotFound("store", store_id)
    return StoreRecord.model_validate(found[0])


async def list_stores(conn: AsyncConnection) -> list[StoreRecord]:
    return [StoreRecord.model_validate(row) for row in await rows.store_rows(conn)]


async def upsert_store(
    conn: AsyncConnection, record: StoreRecord, known: Known, *, only_new: bool = False
) -> Change:
    """Create the store, or change the fields the record sets; `only_new` leaves an existing one alone."""
    current = known.stores.get(record.id)
    if current is None:
        new = record.model_dump(mode="json")
        new["special_days"] = new["special_days"] or []
        await rows.write_store(conn, new)
        known.stores[record.id] = {**new, "slots": new["slots"] or []}
        return Change.CREATED
    if only_new:
        return Change.UNCHANGED
    given = record.model_dump(mode="json", exclude_unset=True)
    if "special_days" in given and given["special_days"] is None:  # null: none
        given["special_days"] = []
    if given.get("slots", []) is None:  # null: the rules stay as they are
        del given["slots"]
    merged = {**current, **given}
    if merged == current:
        return Change.UNCHANGED
    await rows.write_store(conn, merged)
    known.stores[record.id] = merged
    return Change.UPDATED


async def add_special_day(
    conn: AsyncConnection, record: SpecialDayRecord, known: Known, *, only_new: bool = False
) -> Change:
    """Set one date of a store's calendar (replacing what that date said before)."""
    store = known.stores.get(record.store_id)
    if store is None:
        raise InvalidField(("store_id",), f"unknown store {record.store_id!r}")
    day = SpecialDayFields.model_validate(record.model_dump(exclude={"store_id"})).model_dump(mode="json")
    days: list[Record] = store["special_days"] or []
    same = [known_day for known_day in days if known_day["date"] == day["date"]]
    if same == [day] or (same and only_new):
        return Change.UNCHANGED
    kept = [known_day for known_day in days if known_day["date"] != day["date"]]
    store["special_days"] = sorted([*kept, day], key=lambda entry: str(entry["date"]))
    await rows.set_special_days(conn, record.store_id, store["special_days"])
    return Change.UPDATED if same else Change.CREATED


async def get_product(conn: AsyncConnection, sku: str) -> ProductRecord:
    found = await rows.product_rows(conn, [sku])
    if not found:
        raise NotFound("product", sku)
    return ProductRecord.model_validate(_product(found[0]))


async def list_products(conn: AsyncConnection, after: str | None, limit: int) -> list[ProductRecord]:
    """A page of the catalogue, by SKU: the next page starts after the last SKU of this one."""
    found = await rows.product_rows(conn, after=after, limit=limit)
    return [ProductRecord.model_validate(_product(row)) for row in found]


async def upsert_product(
    conn: AsyncConnection, record: ProductRecord, known: Known, *, only_new: bool = False
) -> Change:
    """Create the product, or change what the record sets; a barcode of another product is refused."""
    current = known.products.get(record.sku)
    if current is not None and only_new:
        return Change.UNCHANGED
    for index, code in enumerate(record.barcodes):
        if known.owners.get(code, record.sku) != record.sku:
            raise InvalidField(
                ("barcodes", index), f"barcode {code} belongs to product {known.owners[code]!r}"
            )
    merged = record.model_dump() if current is None else {**current, **record.model_dump(exclude_unset=True)}
    if merged == current:
        return Change.UNCHANGED
    if current is None and known.batch:
        known.new_products.append(merged)
    else:
        await rows.write_product(conn, merged, new=current is None)
    for code in current["barcodes"] if current else []:
        known.owners.pop(code, None)
    known.owners |= dict.fromkeys(merged["barcodes"], record.sku)
    known.products[record.sku] = merged
    return Change.CREATED if current is None else Change.UPDATED


async def set_location(
    conn: AsyncConnection, record: LocationRecord, known: Known, *, only_new: bool = False
) -> Change:
    """Where the store keeps the SKU; both must exist."""
    if record.store_id not in known.stores:
        raise InvalidField(("store_id",), f"unknown store {record.store_id!r}")
    if record.sku not in known.products:
        raise InvalidField(("sku",), f"unknown sku {record.sku!r}")
    current = known.locations.get((record.store_id, record.sku))
    if current == record.location or (current is not None and only_new):
        return Change.UNCHANGED
    if known.batch:
        known.new_locations.append(record.model_dump())
    else:
        await rows.write_location(conn, record.store_id, record.sku, record.location)
    known.locations[(record.store_id, record.sku)] = record.location
    return Change.CREATED if current is None else Change.UPDATED


async def list_locations(conn: AsyncConnection, store_id: str) -> list[LocationRecord]:
    if not await rows.store_rows(conn, [store_id]):
        raise NotFound("store", store_id)
    return [LocationRecord.model_validate(row) for row in await rows.location_rows(conn, store_id)]


async def save_store(conn: AsyncConnection, record: StoreRecord) -> Change:
    """One store, as the admin API sends it."""
    return await upsert_store(conn, record, await read_known(conn, store_ids=[record.id]))


async def save_special_day(conn: AsyncConnection, record: SpecialDayRecord) -> Change:
    return await add_special_day(conn, record, await read_known(conn, store_ids=[record.store_id]))


async def save_product(conn: AsyncConnection, record: ProductRecord) -> Change:
    known = await read_known(conn, skus=[record.sku], barcodes=record.barcodes)
    return await upsert_product(conn, record, known)


async def save_location(conn: AsyncConnection, record: LocationRecord) -> Change:
    known = await read_known(conn, store_ids=[record.store_id], skus=[record.sku])
    if (location := await rows.location_of(conn, record.store_id, record.sku)) is not None:
        known.locations[(record.store_id, record.sku)] = location
    return await set_location(conn, record, known)
