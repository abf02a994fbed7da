"""Channel payloads that could not become orders: listed for ops, replayed once the cause is fixed (a
mapping, a missing store, an unknown SKU). The API's dead-letter and channel routes can call these."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.channels import ChannelAdapter, ChannelContext, adapters
from adapters.db import channel_products, dead_letters, orders
from adapters.db.dead_letters import DeadLetter
from config.settings import Settings
from domain.channel_rules import rules_for
from domain.values import OrderPlacement
from services.errors import NotFound
from services.intake import CANONICAL, IntakeAnswer, canonical, take_order


async def page(
    engine: AsyncEngine,
    *,
    limit: int,
    before: int | None = None,
    status: str | None = "open",
    channel: str | None = None,
    reason: str | None = None,
) -> list[DeadLetter]:
    """Dead letters newest first, a page at a time (`before`: the last id of the page before), filtered by
    status (None: all), channel and a text in the reasons."""
    async with engine.connect() as conn:
        return await dead_letters.page(
            conn, limit=limit, before=before, status=status, channel=channel, reason=reason
        )


async def channel_context(
    engine: AsyncEngine, settings: Settings, adapter: ChannelAdapter, payload: Any
) -> ChannelContext:
    """What a channel adapter may consult to map a payload: the stores, the channel's settings, the
    rules of the payload's account, and the SKUs of the products the payload names."""
    account = adapter.account(payload)
    async with engine.connect() as conn:
        stores = await orders.list_stores(conn)
        products = await channel_products.resolve(conn, adapter.name, account, adapter.product_refs(payload))
    return ChannelContext(
        stores=stores,
        secret=settings.shopify_webhook_secret,
        locations=settings.shopify_locations,
        rules=rules_for(settings.channel_rules, adapter.name, account),
        products=products,
    )


async def replay(
    client: Client, engine: AsyncEngine, settings: Settings, dead_letter_id: int
) -> IntakeAnswer:
    """Take an open letter's payload again with today's mappings, stores and catalogue; what still fails
    is kept on the letter."""
    async with engine.connect() as conn:
        letter = await dead_letters.get(conn, dead_letter_id)
    if letter is None or letter.status != "open":
        raise NotFound("dead_letter", str(dead_letter_id))
    parse: Callable[[Any], OrderPlacement] = canonical
    rules = None  # our own JSON: the rules of the order's `channel`
    if letter.channel != CANONICAL:
        adapter = adapters()[letter.channel]
        context = await channel_context(engine, settings, adapter, letter.payload)
        parse, rules = (lambda payload: adapter.to_placement(payload, context)), context.rules
    return await take_order(
        client, engine, settings, letter.channel, letter.payload, parse, dead_letter_id, rules
    )
