"""The catalogue as channels name it: a channel's variant ids mapped to SKUs, and products by barcode."""

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import channel_products, product_barcodes, products


async def map_variant(conn: AsyncConnection, channel: str, account: str, variant_id: str, sku: str) -> None:
    """Map (or remap) a channel's variant to one of our SKUs; account '' maps it for every account."""
    values = {"channel": channel, "account": account, "variant_id": variant_id, "sku": sku}
    await conn.execute(
        insert(channel_products)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["channel", "account", "variant_id"], set_={"sku": sku, "updated_at": func.now()}
        )
    )


async def resolve(
    conn: AsyncConnection, channel: str, account: str, refs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The SKU of each ("sku" | "variant" | "barcode", value) the catalogue knows; an account's own
    variant mapping before the one for every account."""
    wanted: dict[str, set[str]] = {"sku": set(), "variant": set(), "barcode": set()}
    for kind, value in refs:
        wanted[kind].add(value)
    found: dict[tuple[str, str], str] = {}
    if wanted["sku"]:
        rows = await conn.execute(select(products.c.sku).where(products.c.sku.in_(wanted["sku"])))
        found |= {("sku", row.sku): row.sku for row in rows}
    if wanted["barcode"]:
        codes = product_barcodes.c  # every barcode of a product, not only the first (migration 0014)
        query = select(codes.barcode, codes.sku).where(codes.barcode.in_(wanted["barcode"]))
        found |= {("barcode", row.barcode): row.sku for row in await conn.execute(query)}
    if wanted["variant"]:
        query = (
            select(channel_products.c.variant_id, channel_products.c.sku)
            .where(
                channel_products.c.channel == channel,
                channel_products.c.account.in_(["", account]),
                channel_products.c.variant_id.in_(wanted["variant"]),
            )
            .order_by(channel_products.c.account)  # '' first: the account's own mapping wins
        )
        found |= {("variant", row.variant_id): row.sku for row in await conn.execute(query)}
    return found
