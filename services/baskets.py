"""Checks every basket passes before stock is touched: the store exists, every SKU is known."""

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import orders, stock
from domain.values import StoreKind, StoreProfile
from services.errors import InvalidField, NotFound


async def check_basket(conn: AsyncConnection, store_id: str, skus: list[str]) -> StoreProfile:
    """An unknown store is not found; a warehouse is not a pickup location; the first line whose SKU is
    unknown is named. Returns the store, as the order's workflow may take it (sparing it a read)."""
    store = await orders.get_store(conn, store_id)
    if store is None:
        raise NotFound("store", store_id)
    if store.kind is not StoreKind.STORE:
        raise InvalidField(("store_id",), f"{store_id!r} is a {store.kind.value}, not a pickup store")
    known = await stock.known_skus(conn, skus)
    for index, sku in enumerate(skus):
        if sku not in known:
            raise InvalidField(("lines", index, "sku"), f"unknown sku {sku!r}")
    return store
