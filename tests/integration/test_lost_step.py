"""A step lost to a Temporal outage: its database transaction committed, the workflow task that records
it did not, so the read model is ahead of the workflow. The next step the store asks is refused by the
workflow; the read model goes back to the workflow's state so the store sees what to do again."""

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from adapters.outages import temporal_unavailable
from domain import ids
from domain.order_state import OrderView
from domain.status import OrderStatus
from services.orders import OrderDesk, settle_doubts
from tests.conftest import placement
from tests.integration.flow import place, step
from tests.integration.test_stock import new_sku


async def _pretend_accepted(engine: AsyncEngine, order_id: str, at: datetime) -> None:
    """What the lost accept left behind: the row one version ahead, saying accepted, with its timeline."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE orders SET status = 'accepted', version = version + 1, updated_at = :at, "
                "view = jsonb_set(view, '{status}', '\"accepted\"') WHERE id = :id"
            ),
            {"id": order_id, "at": at},
        )
        await conn.execute(
            text(
                "INSERT INTO order_events (order_id, seq, at, status, actor) "
                "SELECT order_id, max(seq) + 1, :at, 'accepted', 'store:lost' FROM order_events "
                "WHERE order_id = :id GROUP BY order_id"
            ),
            {"id": order_id, "at": at},
        )


async def test_a_refused_step_puts_a_read_model_ahead_of_its_workflow_back(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])
    assert (await place(api, order)).status_code == 201
    await _pretend_accepted(engine, order.order_id, datetime.now(UTC) - timedelta(minutes=2))
    assert (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "accepted"

    picked = await step(api, order, "pick", {"lines": [{"sku": sku, "quantity": 1}]})

    assert picked.status_code == 409, picked.text
    seen = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert seen["status"] == "reserved"  # the workflow's state: accept is to do again
    assert [entry["status"] for entry in seen["timeline"]][-1] == "reserved"
    accepted = await step(api, order, "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"


async def test_a_read_model_just_ahead_is_left_alone_while_its_step_may_still_complete(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])
    assert (await place(api, order)).status_code == 201
    await _pretend_accepted(engine, order.order_id, datetime.now(UTC))

    picked = await step(api, order, "pick", {"lines": [{"sku": sku, "quantity": 1}]})

    assert picked.status_code == 409
    assert (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "accepted"


async def _in_doubt(engine: AsyncEngine, order_id: str, update: str, request: Mapping[str, object]) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE orders SET step_in_doubt_since = now() - interval '1 minute', "
                "step_in_doubt = CAST(:step AS jsonb) WHERE id = :id"
            ),
            {"id": order_id, "step": json.dumps({"update": update, "request": request})},
        )


async def _doubt_left(engine: AsyncEngine, order_id: str) -> object:
    async with engine.connect() as conn:
        return await conn.scalar(text("SELECT step_in_doubt FROM orders WHERE id = :id"), {"id": order_id})


async def test_a_step_in_doubt_whose_database_work_committed_is_taken_by_the_workflow_too(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    """The store was told 503 and never asked again, but the read model shows the step done: the API's
    own check asks the workflow to take it, so the workflow catches up with what the store did."""
    sku = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])
    assert (await place(api, order)).status_code == 201
    await _pretend_accepted(engine, order.order_id, datetime.now(UTC) - timedelta(minutes=2))
    await _in_doubt(engine, order.order_id, ids.UPDATE_ACCEPT, {"actor": "store:paris-rivoli"})
    desk = OrderDesk(client=client, engine=engine, wait=timedelta(seconds=10))

    assert await settle_doubts(desk) >= 1

    handle = client.get_workflow_handle(order.order_id)
    assert (await handle.query(ids.QUERY_STATE, result_type=OrderView)).status is OrderStatus.ACCEPTED
    assert (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "accepted"
    assert await _doubt_left(engine, order.order_id) is None
    picked = await step(api, order, "pick", {"lines": [{"sku": sku, "quantity": 1}]})
    assert picked.status_code == 200, picked.text


async def test_a_step_in_doubt_the_workflow_refuses_puts_the_read_model_back(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])
    assert (await place(api, order)).status_code == 201
    await _pretend_accepted(engine, order.order_id, datetime.now(UTC) - timedelta(minutes=2))
    pick = {"lines": [{"sku": sku, "quantity": 1}], "actor": "store:paris-rivoli"}
    await _in_doubt(engine, order.order_id, ids.UPDATE_PICK, pick)  # not what the row shows: refused
    desk = OrderDesk(client=client, engine=engine, wait=timedelta(seconds=10))

    assert await settle_doubts(desk) >= 1

    assert (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "reserved"
    assert await _doubt_left(engine, order.order_id) is None


def test_a_connection_dropped_mid_call_is_temporal_unavailable() -> None:
    dropped = RPCError("transport error", RPCStatusCode.UNKNOWN, b"")
    assert temporal_unavailable(dropped)
    assert not temporal_unavailable(RPCError("workflow query failed", RPCStatusCode.UNKNOWN, b""))
