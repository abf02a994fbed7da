"""What the store console reads: a store's open orders, and its products with barcode and shelf location."""

from sqlalchemy import Boolean, DateTime, Integer, case, cast, column, func, select
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import orders, product_barcodes, products, shelf_locations
from domain.status import OrderStatus
from domain.store_work import Product, QueueOrder
from domain.values import CheckIn, PreparationSla

_SLA = ("accept_at_risk", "accept_by", "ready_at_risk", "ready_by")


def _units() -> object:
    """Units the order still holds: its remaining lines once some were dropped, else the placed ones."""
    view = orders.c.view
    lines = case(
        (func.jsonb_typeof(view["lines"]) == "array", view["lines"]), else_=view[("placement", "lines")]
    )
    line = func.jsonb_array_elements(lines).table_valued(column("value", JSONB)).alias("line")
    quantity = cast(line.c.value["quantity"].astext, Integer)
    return select(func.coalesce(func.sum(quantity), 0)).select_from(line).scalar_subquery()


async def open_orders(
    conn: AsyncConnection, store_id: str, statuses: tuple[OrderStatus, ...], limit: int = 1000
) -> list[QueueOrder]:
    """The store's orders in these statuses, oldest first (one range of the store-and-day index): only
    what a queue card shows, picked out of the stored view by PostgreSQL (no whole view to validate)."""
    view = orders.c.view
    query = (
        select(
            orders.c.id,
            orders.c.status,
            orders.c.channel_order_id,
            view[("placement", "customer", "name")].astext.label("customer_name"),
            _units().label("units"),  # type: ignore[attr-defined]
            *(cast(view[("sla", key)].astext, DateTime(timezone=True)).label(key) for key in _SLA),
            cast(view["sla_at_risk"].astext, Boolean).label("sla_at_risk"),
            (func.jsonb_array_length(view["stock_at_risk"]) > 0).label("stock_at_risk"),
            view["staging_location"].astext.label("staging_location"),
            view["check_in"].label("check_in"),
        )
        .where(orders.c.store_id == store_id, orders.c.status.in_([s.value for s in statuses]))
        .order_by(orders.c.created_at)
        .limit(limit)
    )
    return [
        QueueOrder(
            order_id=row.id,
            status=OrderStatus(row.status),
            channel_order_id=row.channel_order_id,
            customer_name=row.customer_name,
            units=row.units,
            sla=PreparationSla.model_construct(**{key: getattr(row, key) for key in _SLA})
            if row.accept_by
            else None,
            sla_at_risk=bool(row.sla_at_risk),
            stock_at_risk=bool(row.stock_at_risk),
            staging_location=row.staging_location,
            check_in=CheckIn.model_validate(row.check_in) if row.check_in else None,
        )
        for row in await conn.execute(query)
    ]


async def queue_mark(
    conn: AsyncConnection, store_id: str, statuses: tuple[OrderStatus, ...]
) -> tuple[object, ...]:
    """Changes whenever one of the store's open orders does (versions only grow), or one comes or goes."""
    query = select(func.count(), func.coalesce(func.sum(orders.c.version), 0), func.max(orders.c.updated_at))
    query = query.where(orders.c.store_id == store_id, orders.c.status.in_([s.value for s in statuses]))
    return tuple((await conn.execute(query)).one())


async def shelf_products(conn: AsyncConnection, store_id: str, skus: list[str]) -> dict[str, Product]:
    """Name, barcodes and this store's shelf location of each known SKU."""
    location = shelf_locations.c.location
    codes = (
        select(func.array_agg(aggregate_order_by(product_barcodes.c.barcode, product_barcodes.c.position)))
        .where(product_barcodes.c.sku == products.c.sku)
        .scalar_subquery()
    )
    query = (
        select(products.c.sku, products.c.name, products.c.barcode, location, codes.label("codes"))
        .select_from(
            products.outerjoin(
                shelf_locations,
                (shelf_locations.c.sku == products.c.sku) & (shelf_locations.c.store_id == store_id),
            )
        )
        .where(products.c.sku.in_(skus))
    )
    rows = await conn.execute(query)
    return {
        row.sku: Product(
            row.sku,
            row.name,
            row.barcode,
            row.location,
            tuple(code for code in row.codes or () if code != row.barcode),
        )
        for row in rows
    }


async def sku_for_barcode(conn: AsyncConnection, code: str) -> str | None:
    """The product of any of its barcodes (product_barcodes holds the first one too)."""
    return await conn.scalar(select(product_barcodes.c.sku).where(product_barcodes.c.barcode == code))
