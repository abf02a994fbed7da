"""Stores, products (with their barcodes), shelf locations and special days as ops maintain them: rows read
and written as plain dicts; what may be written is the service's to decide (services/master_data.py)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import pickup_slot_rules, product_barcodes, products, shelf_locations, stores

Row = dict[str, Any]
_STORE_COLUMNS = [column.name for column in stores.columns]


async def store_rows(conn: AsyncConnection, ids: list[str] | None = None, *, lock: bool = False) -> list[Row]:
    """Stores (all, or those of `ids`) with their pickup slot rules as `slots`, by id."""
    query = select(stores).order_by(stores.c.id)
    if ids is not None:
        query = query.where(stores.c.id.in_(ids))
    rows = [
        dict(row._mapping)
        for row in await conn.execute(query.with_for_update(key_share=True) if lock else query)
    ]
    rules = select(pickup_slot_rules).where(pickup_slot_rules.c.store_id.in_([row["id"] for row in rows]))
    slots: dict[str, list[Row]] = {}
    for rule in await conn.execute(rules.order_by(pickup_slot_rules.c.weekday)):
        slots.setdefault(rule.store_id, []).append(
            {"weekday": rule.weekday, "minutes": rule.minutes, "capacity": rule.capacity}
        )
    return [{**row, "slots": slots.get(row["id"], [])} for row in rows]


async def write_store(conn: AsyncConnection, row: Row) -> None:
    """Insert or replace the store's row and, when `slots` is given, its pickup slot rules (all of them)."""
    values = {key: value for key, value in row.items() if key in _STORE_COLUMNS}
    statement = insert(stores).values(**values)
    changes = {key: statement.excluded[key] for key in values if key != "id"}
    await conn.execute(statement.on_conflict_do_update(index_elements=[stores.c.id], set_=changes))
    if (slots := row.get("slots")) is not None:
        await conn.execute(pickup_slot_rules.delete().where(pickup_slot_rules.c.store_id == row["id"]))
        if slots:
            await conn.execute(insert(pickup_slot_rules), [{"store_id": row["id"], **rule} for rule in slots])


async def set_special_days(conn: AsyncConnection, store_id: str, days: list[Row]) -> None:
    await conn.execute(stores.update().where(stores.c.id == store_id).values(special_days=days))


async def product_rows(
    conn: AsyncConnection,
    skus: list[str] | None = None,
    *,
    lock: bool = False,
    after: str | None = None,
    limit: int | None = None,
) -> list[Row]:
    """Products (all, those of `skus`, or a page after a SKU) with every barcode, the first one first."""
    query = select(products).order_by(products.c.sku).limit(limit)
    if skus is not None:
        query = query.where(products.c.sku.in_(skus))
    if after is not None:
        query = query.where(products.c.sku > after)
    rows = [
        dict(row._mapping)
        for row in await conn.execute(query.with_for_update(key_share=True) if lock else query)
    ]
    codes = select(product_barcodes).where(product_barcodes.c.sku.in_([row["sku"] for row in rows]))
    barcodes: dict[str, list[str]] = {}
    for code in await conn.execute(codes.order_by(product_barcodes.c.position, product_barcodes.c.barcode)):
        barcodes.setdefault(code.sku, []).append(code.barcode)
    return [{**row, "barcodes": barcodes.get(row["sku"], [])} for row in rows]


async def barcode_owners(conn: AsyncConnection, barcodes: list[str]) -> dict[str, str]:
    """The SKU each of these barcodes belongs to, for those the catalogue knows."""
    query = select(product_barcodes).where(product_barcodes.c.barcode.in_(barcodes))
    return {row.barcode: row.sku for row in await conn.execute(query)}


async def write_product(conn: AsyncConnection, row: Row, *, new: bool = False) -> None:
    """Insert or replace the product and its barcodes; `products.barcode` is the first of them."""
    sku, barcodes = row["sku"], list(row["barcodes"])
    values = {
        "sku": sku,
        "name": row["name"],
        "unit_price": row["unit_price"],
        "currency": row["currency"],
        "active": row["active"],
        "barcode": barcodes[0] if barcodes else None,
    }
    if not new:  # its barcodes go first: one it gives up may move to another product in the same batch
        await conn.execute(product_barcodes.delete().where(product_barcodes.c.sku == sku))
        await conn.execute(products.update().where(products.c.sku == sku).values(barcode=None))
    statement = insert(products).values(**values)
    changes = {key: statement.excluded[key] for key in values if key != "sku"}
    await conn.execute(statement.on_conflict_do_update(index_elements=[products.c.sku], set_=changes))
    if barcodes:
        await conn.execute(
            insert(product_barcodes),
            [{"barcode": code, "sku": sku, "position": index} for index, code in enumerate(barcodes)],
        )


async def add_products(conn: AsyncConnection, new: list[Row]) -> None:
    """Products the catalogue does not have yet, with their barcodes, in a few statements."""
    if not new:
        return
    await conn.execute(
        insert(products),
        [
            {
                "sku": row["sku"],
                "name": row["name"],
                "unit_price": row["unit_price"],
                "currency": row["currency"],
                "active": row["active"],
                "barcode": row["barcodes"][0] if row["barcodes"] else None,
            }
            for row in new
        ],
    )
    codes = [
        {"barcode": code, "sku": row["sku"], "position": index}
        for row in new
        for index, code in enumerate(row["barcodes"])
    ]
    if codes:
        await conn.execute(insert(product_barcodes), codes)


async def write_locations(conn: AsyncConnection, locations: list[Row]) -> None:
    """Shelf locations ({store_id, sku, location}), set or replaced, in a few statements."""
    if not locations:
        return
    statement = insert(shelf_locations)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[shelf_locations.c.store_id, shelf_locations.c.sku],
            set_={"location": statement.excluded.location},
        ),
        locations,
    )


async def location_rows(conn: AsyncConnection, store_id: str) -> list[Row]:
    query = select(shelf_locations).where(shelf_locations.c.store_id == store_id)
    return [dict(row._mapping) for row in await conn.execute(query.order_by(shelf_locations.c.sku))]


async def location_of(conn: AsyncConnection, store_id: str, sku: str) -> str | None:
    query = select(shelf_locations.c.location).where(
        shelf_locations.c.store_id == store_id, shelf_locations.c.sku == sku
    )
    return await conn.scalar(query)


async def write_location(conn: AsyncConnection, store_id: str, sku: str, location: str) -> None:
    statement = insert(shelf_locations).values(store_id=store_id, sku=sku, location=location)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[shelf_locations.c.store_id, shelf_locations.c.sku], set_={"location": location}
        )
    )


async def sku_states(conn: AsyncConnection, skus: list[str]) -> dict[str, bool]:
    """Whether each known SKU of these is active (unknown ones are left out)."""
    rows = await conn.execute(select(products.c.sku, products.c.active).where(products.c.sku.in_(skus)))
    return {row.sku: row.active for row in rows}
