"""Checks every basket passes before stock is touched: the store exists, every SKU is known."""

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import stock
from domain.values import StoreKind
from services.errors import InvalidField, NotFound


async def check_basket(conn: AsyncConnection, store_id: str, skus: list[str]) -> None:
    """An unknown store is not found; a warehouse is not a pickup location; the first line whose SKU is
    unknown is named."""
    kind = await stock.store_kind(conn, store_id)
    if kind is None:
        raise NotFound("store", store_id)
    if kind is not StoreKind.STORE:
        raise InvalidField(("store_id",), f"{store_id!r} is a {kind.value}, not a pickup store")
    known = await stock.known_skus(conn, skus)
    for index, sku in enumerate(skus):
        if sku not in known:
            raise InvalidField(("lines", index, "sku"), f"unknown sku {sku!r}")
