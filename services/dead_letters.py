"""Channel payloads that could not become orders: listed for ops, replayed once the cause is fixed (a
mapping, a missing store, an unknown SKU). The API's dead-letter and channel routes can call these."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio.client import Client

from adapters.channels import ChannelContext, adapters
from adapters.db import dead_letters, orders
from adapters.db.dead_letters import DeadLetter
from config.settings import Settings
from domain.values import OrderPlacement
from services.errors import NotFound
from services.intake import CANONICAL, IntakeAnswer, canonical, take_order


async def open_letters(conn: AsyncConnection) -> list[DeadLetter]:
    """Open dead letters, oldest first, with the payload and every reason."""
    return await dead_letters.open_letters(conn)


async def channel_context(engine: AsyncEngine, settings: Settings) -> ChannelContext:
    """What a channel adapter may consult to map a payload: the stores and the channel's settings."""
    async with engine.connect() as conn:
        stores = await orders.list_stores(conn)
    return ChannelContext(
        stores=stores, secret=settings.shopify_webhook_secret, locations=settings.shopify_locations
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
    if letter.channel != CANONICAL:
        context, adapter = await channel_context(engine, settings), adapters()[letter.channel]
        parse = lambda payload: adapter.to_placement(payload, context)  # noqa: E731
    return await take_order(client, engine, settings, letter.channel, letter.payload, parse, dead_letter_id)
