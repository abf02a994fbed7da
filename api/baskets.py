"""Checks every basket passes before stock is touched: the store exists, every SKU is known."""

from sqlalchemy.ext.asyncio import AsyncConnection

from api.errors import invalid_field, not_found
from oms.db import stock


async def check_basket(conn: AsyncConnection, store_id: str, skus: list[str]) -> None:
    """404 for an unknown store; 422 naming the first line whose SKU is unknown."""
    if not await stock.store_exists(conn, store_id):
        raise not_found("store", store_id)
    known = await stock.known_skus(conn, skus)
    for index, sku in enumerate(skus):
        if sku not in known:
            raise invalid_field(["body", "lines", index, "sku"], f"unknown sku {sku!r}")
