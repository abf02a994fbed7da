"""The catalogue as channels name it: ops map a channel's variant id to one of our SKUs."""

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.channels import adapters
from adapters.db import channel_products, stock
from services.errors import NotFound


async def map_variant(engine: AsyncEngine, channel: str, account: str, variant_id: str, sku: str) -> None:
    """Lines naming this variant (from this account, or any when '') become lines of `sku`; the
    channel and the SKU must exist."""
    if channel not in adapters():
        raise NotFound("channel", channel)
    async with engine.begin() as conn:
        if not await stock.known_skus(conn, [sku]):
            raise NotFound("product", sku)
        await channel_products.map_variant(conn, channel, account, variant_id, sku)
