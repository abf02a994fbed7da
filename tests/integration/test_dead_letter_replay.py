"""The dead-letter use cases on their own (the HTTP routes call the same path): a canonical order refused
for an unknown SKU is replayed into an order once the SKU is in the catalogue, and only once."""

import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import stock
from services import dead_letters
from services.errors import DeadLettered, NotFound
from tests.conftest import placement
from tests.integration.conftest import settings_for
from tests.integration.flow import place
from tests.integration.test_stock import receipt


async def test_a_refused_order_is_replayed_into_an_order_once_its_sku_exists(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine, database_url: str
) -> None:
    sku = f"T-{uuid.uuid4().hex[:10]}"  # not in the catalogue yet
    order = placement(lines=[(sku, 1)])
    refused = await place(api, order)
    assert refused.status_code == 422, refused.text
    letter_id = refused.json()["dead_letter_id"]
    assert letter_id in [letter.id for letter in await dead_letters.page(engine, limit=50)]

    settings = settings_for(client, database_url)
    with pytest.raises(DeadLettered) as still:
        await dead_letters.replay(client, engine, settings, letter_id)
    assert still.value.dead_letter_id == letter_id

    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO products (sku, name, unit_price, currency) VALUES (:sku, 'test', 10, 'EUR')"),
            {"sku": sku},
        )
        await stock.record(conn, [receipt("paris-rivoli", sku, 2)])
    answer = await dead_letters.replay(client, engine, settings, letter_id)
    assert (answer.status_code, answer.order_id) == (201, order.order_id)
    with pytest.raises(NotFound):
        await dead_letters.replay(client, engine, settings, letter_id)
