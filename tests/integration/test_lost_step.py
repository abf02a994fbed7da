"""A step lost to a Temporal outage: its database transaction committed, the workflow task that records
it did not, so the read model is ahead of the workflow. The next step the store asks is refused by the
workflow; the read model goes back to the workflow's state so the store sees what to do again."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from adapters.outages import temporal_unavailable
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


async def test_a_step_in_doubt_is_settled_against_its_workflow_without_anyone_asking_again(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    """The store was told 503 and never retried: the API's own check puts the read model back."""
    sku = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])
    assert (await place(api, order)).status_code == 201
    await _pretend_accepted(engine, order.order_id, datetime.now(UTC) - timedelta(minutes=2))
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE orders SET step_in_doubt_since = now() - interval '1 minute' WHERE id = :id"),
            {"id": order.order_id},
        )
    desk = OrderDesk(client=client, engine=engine, wait=timedelta(seconds=10))

    assert await settle_doubts(desk) >= 1

    assert (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "reserved"
    async with engine.connect() as conn:
        left = await conn.scalar(
            text("SELECT step_in_doubt_since FROM orders WHERE id = :id"), {"id": order.order_id}
        )
    assert left is None


def test_a_connection_dropped_mid_call_is_temporal_unavailable() -> None:
    dropped = RPCError("transport error", RPCStatusCode.UNKNOWN, b"")
    assert temporal_unavailable(dropped)
    assert not temporal_unavailable(RPCError("workflow query failed", RPCStatusCode.UNKNOWN, b""))
