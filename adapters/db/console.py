"""What the store console reads: a store's open orders, and its products with barcode and shelf location."""

from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import orders, products, shelf_locations
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.store_work import Product


async def open_orders(
    conn: AsyncConnection, store_id: str, statuses: tuple[OrderStatus, ...], limit: int = 1000
) -> list[OrderView]:
    """The store's orders in these statuses, oldest first (one range of the store-and-day index). Read as
    text and parsed once by pydantic: half the cost of decoding the JSON and validating it after."""
    query = (
        select(cast(orders.c.view, Text))
        .where(orders.c.store_id == store_id, orders.c.status.in_([s.value for s in statuses]))
        .order_by(orders.c.created_at)
        .limit(limit)
    )
    return [OrderView.model_validate_json(view) for view in await conn.scalars(query)]


async def shelf_products(conn: AsyncConnection, store_id: str, skus: list[str]) -> dict[str, Product]:
    """Name, barcode and this store's shelf location of each known SKU."""
    location = shelf_locations.c.location
    query = (
        select(products.c.sku, products.c.name, products.c.barcode, location)
        .select_from(
            products.outerjoin(
                shelf_locations,
                (shelf_locations.c.sku == products.c.sku) & (shelf_locations.c.store_id == store_id),
            )
        )
        .where(products.c.sku.in_(skus))
    )
    rows = await conn.execute(query)
    return {row.sku: Product(row.sku, row.name, row.barcode, row.location) for row in rows}


async def sku_for_barcode(conn: AsyncConnection, code: str) -> str | None:
    return await conn.scalar(select(products.c.sku).where(products.c.barcode == code))
