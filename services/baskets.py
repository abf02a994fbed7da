"""Checks every basket passes before stock is touched: the store exists, every SKU is known, the
customer can be reached as the channel's rules require."""

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import master_data, orders, stock
from domain.channel_rules import ChannelRules
from domain.contacts import ContactRefused, reachable
from domain.values import OrderPlacement, StoreKind, StoreProfile
from services.errors import InvalidField, NotFound


async def check_basket(conn: AsyncConnection, store_id: str, skus: list[str]) -> StoreProfile:
    """An unknown store is not found; a warehouse is not a pickup location; the first line whose SKU is
    unknown or inactive is named. Returns the store, as the order's workflow may take it (sparing it a
    read)."""
    store = await orders.get_store(conn, store_id)
    if store is None:
        raise NotFound("store", store_id)
    if store.kind is not StoreKind.STORE:
        raise InvalidField(("store_id",), f"{store_id!r} is a {store.kind.value}, not a pickup store")
    active = await master_data.sku_states(conn, skus)
    for index, sku in enumerate(skus):
        if sku not in active:
            raise InvalidField(("lines", index, "sku"), f"unknown sku {sku!r}")
        if not active[sku]:
            raise InvalidField(("lines", index, "sku"), f"{sku!r} is no longer sold (inactive product)")
    return store


async def reachable_placement(
    conn: AsyncConnection, placement: OrderPlacement, rules: ChannelRules, store: StoreProfile | None = None
) -> OrderPlacement:
    """The placement with its phone in E.164 (read in the pickup store's country), or kept as given
    with a note; refused (naming the field) when the channel's rules require another contact. `store`:
    the pickup store as already read (its country is not read again)."""
    country = store.country if store else await stock.store_country(conn, placement.store_id)
    try:
        customer = reachable(placement.customer, country, rules)
    except ContactRefused as refused:
        raise InvalidField(("customer", refused.field), refused.message) from None
    return placement.model_copy(update={"customer": customer})
