"""A short pick splits the missing lines off to a nearby store, and an SLA at risk is flagged, on the real
servers: stock, stock ledger and payments ledger consistent at both stores; the flag visible to Temporal
UI users (search attribute) and to the store (queue filter, reminder email)."""

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client

from adapters.db import stock
from adapters.db.tables import notifications
from domain import ids
from domain.policy import OrderPolicy, ShortPickPolicy
from tests.conftest import placement
from tests.integration.conftest import _api, eventually, keep_history, payment_entries, settings_for
from tests.integration.flow import pickup_code, place
from tests.integration.test_rerouting import _levels, _order, _stock_at
from tests.integration.test_stock import new_sku


@pytest.fixture(scope="module")
async def split_api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    """Orders placed under the missing-lines short-pick policy."""
    settings = settings_for(client, database_url)
    settings.policy.short_pick = ShortPickPolicy.MISSING_LINES
    async for http in _api(settings, client, engine):
        yield http


@pytest.fixture(scope="module")
async def hurried_api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    """Stores must accept within 6 seconds: at risk after 4.8."""
    settings = settings_for(client, database_url, policy=OrderPolicy(accept_within=timedelta(seconds=6)))
    async for http in _api(settings, client, engine):
        yield http


async def test_missing_lines_are_split_off_to_a_nearby_store_with_stock_and_money_consistent(
    split_api: httpx.AsyncClient, client: Client, engine: AsyncEngine, nearby_store: str
) -> None:
    api = split_api
    tent = await new_sku(engine, on_hand=1, store_id="paris-rivoli")  # only Rivoli has it
    stove = await new_sku(engine, on_hand=1, store_id="paris-rivoli")
    await _stock_at(engine, nearby_store, stove, 2)
    order = placement(lines=[(tent, 1), (stove, 1)])
    assert (await place(api, order)).status_code == 201
    route = f"/v1/stores/paris-rivoli/orders/{order.order_id}"
    assert (await api.post(f"{route}/accept")).status_code == 200
    short = await api.post(
        f"{route}/short-pick", json={"lines": [{"sku": stove, "missing": 1, "reason": "not_found"}]}
    )
    assert short.status_code == 200, short.text
    split_id = ids.split_order_id(order.order_id, 2)
    kept = short.json()
    assert kept["status"] == "picked" and kept["store"]["id"] == "paris-rivoli"
    assert kept["splits"] == [split_id] and Decimal(kept["split_off"]) == Decimal("10.00")
    assert [(line["sku"], line["quantity"]) for line in kept["lines"]] == [(tent, 1)]

    async def split_reserved() -> dict | None:
        view = await _order(api, split_id)
        return view if view.get("status") == "reserved" else None

    split = await eventually(split_reserved)
    assert split["store"]["id"] == nearby_store and split["split_from"]["order_id"] == order.order_id
    assert [(line["sku"], line["quantity"]) for line in split["placement"]["lines"]] == [(stove, 1)]
    # Rivoli keeps the tent; the stove it could not find is written off there and held at Bastille.
    assert await _levels(engine, tent) == {"paris-rivoli": (1, 1), nearby_store: (0, 0)}
    assert await _levels(engine, stove) == {"paris-rivoli": (0, 0), nearby_store: (2, 1)}
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []
    # The stove's share of the hold moved: released on the order, authorised on the split order.
    assert await payment_entries(engine, order.order_id) == [
        ("authorization", Decimal("20.00")),
        ("refund", Decimal("10.00")),
    ]
    assert await payment_entries(engine, split_id) == [("authorization", Decimal("10.00"))]

    async def messages() -> list[dict]:  # sent just after the split order is recorded
        return (await api.get(f"/v1/orders/{split_id}/notifications")).json()

    told = await eventually(messages)
    assert {m["kind"] for m in told} == {"order_split"}
    assert f"{order.channel_order_id}/2" in told[0]["body"]

    # Each part is prepared and collected at its own store, with its own code: each captures its share.
    for order_id, store_id, sku in ((order.order_id, "paris-rivoli", tent), (split_id, nearby_store, stove)):
        at = f"/v1/stores/{store_id}/orders/{order_id}"
        if order_id == split_id:
            assert (await api.post(f"{at}/accept")).status_code == 200
            picked = await api.post(f"{at}/pick", json={"lines": [{"sku": sku, "quantity": 1}]})
            assert picked.status_code == 200, picked.text
        assert (await api.post(f"{at}/ready", json={"staging_location": "B1"})).status_code == 200
        collected = await api.post(f"{at}/collect", json={"pickup_code": await pickup_code(api, order_id)})
        assert collected.status_code == 200, collected.text
    assert await _levels(engine, tent) == {"paris-rivoli": (0, 0), nearby_store: (0, 0)}
    assert await _levels(engine, stove) == {"paris-rivoli": (0, 0), nearby_store: (1, 0)}
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []
    captured = [
        amount
        for order_id in (order.order_id, split_id)
        for kind, amount in await payment_entries(engine, order_id)
        if kind == "capture"
    ]
    assert captured == [Decimal("10.00"), Decimal("10.00")]  # the order's 20.00, once
    await keep_history(client, order.order_id, "split_after_short_pick")


async def test_an_order_not_accepted_in_time_is_flagged_at_risk_for_ops_and_the_store(
    hurried_api: httpx.AsyncClient, client: Client, engine: AsyncEngine, nearby_store: str
) -> None:
    api = hurried_api
    sku = await new_sku(engine, on_hand=0, store_id="paris-rivoli")
    await _stock_at(engine, nearby_store, sku, 1)
    order = placement(lines=[(sku, 1)], store_id=nearby_store)  # open all day: the SLA runs now
    assert (await place(api, order)).status_code == 201
    handle = client.get_workflow_handle(order.order_id)

    async def flagged() -> bool:
        attributes = (await handle.describe()).typed_search_attributes
        return attributes.get(ids.SA_SLA_AT_RISK) is True

    await eventually(flagged, timeout=20)
    queue = (await api.get(f"/v1/stores/{nearby_store}/orders", params={"at_risk": "true"})).json()
    assert order.order_id in [view["order_id"] for view in queue]
    async with engine.connect() as conn:
        reminders = (
            await conn.execute(
                select(notifications.c.kind, notifications.c.recipient).where(
                    notifications.c.order_id == order.order_id, notifications.c.kind.like("store_%")
                )
            )
        ).all()
    assert [tuple(r) for r in reminders] == [("store_accept_at_risk", "bastille@stores.example.com")]
    # The order's page in the Temporal UI says so too (the workflow's current details).
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    assert "(**at risk**)" in metadata.current_details
    accepted = await api.post(f"/v1/stores/{nearby_store}/orders/{order.order_id}/accept")
    assert accepted.status_code == 200, accepted.text

    async def cleared() -> bool:
        attributes = (await handle.describe()).typed_search_attributes
        return attributes.get(ids.SA_SLA_AT_RISK) is False

    await eventually(cleared, timeout=20)
    assert accepted.json()["sla_at_risk"] is False
