"""Checks every basket passes before stock is touched: the store exists, every SKU is known."""

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import stock
from api.errors import invalid_field, not_found
from domain.values import StoreKind


async def check_basket(conn: AsyncConnection, store_id: str, skus: list[str]) -> None:
    """404 for an unknown store; 422 for a warehouse (not a pickup location) and naming the first line
    whose SKU is unknown."""
    kind = await stock.store_kind(conn, store_id)
    if kind is None:
        raise not_found("store", store_id)
    if kind is not StoreKind.STORE:
        raise invalid_field(["body", "store_id"], f"{store_id!r} is a {kind.value}, not a pickup store")
    known = await stock.known_skus(conn, skus)
    for index, sku in enumerate(skus):
        if sku not in known:
            raise invalid_field(["body", "lines", index, "sku"], f"unknown sku {sku!r}")
