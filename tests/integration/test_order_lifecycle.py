"""The whole order through the HTTP API on the real Temporal dev server and PostgreSQL."""

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import payments
from domain import ids
from tests.conftest import placement
from tests.integration.conftest import keep_history
from tests.integration.flow import pickup_code, place, prepare, step, stock


async def test_order_is_reserved_prepared_and_collected_with_its_pickup_code(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    order = placement(lines=[("SLEEPBAG-5C", 2), ("STOVE-GAS", 1)])
    before = await stock(api, order.store_id, "SLEEPBAG-5C")

    placed = await place(api, order)
    assert placed.status_code == 201, placed.text
    body = placed.json()
    assert body["order_id"] == f"order-webshop-{order.channel_order_id}"
    assert body["status"] == "reserved"
    assert body["ready_by"] is not None
    held = await stock(api, order.store_id, "SLEEPBAG-5C")
    assert held["reserved"] == before["reserved"] + 2
    assert held["available"] == before["available"] - 2

    await prepare(api, order, staging="shelf C7")
    queue = (
        await api.get(f"/v1/stores/{order.store_id}/orders", params={"status": "ready_for_pickup"})
    ).json()
    assert order.order_id in [entry["order_id"] for entry in queue]

    wrong = await step(api, order, "collect", {"pickup_code": "000000"})
    code = await pickup_code(api, order)
    if code != "000000":
        assert wrong.status_code == 422
        assert wrong.json()["detail"][0]["loc"] == ["body", "pickup_code"]
    collected = await step(api, order, "collect", {"pickup_code": code, "associate": "lea"})
    assert collected.status_code == 200, collected.text
    assert collected.json()["status"] == "collected"

    after = await stock(api, order.store_id, "SLEEPBAG-5C")
    assert after["on_hand"] == before["on_hand"] - 2
    assert after["reserved"] == before["reserved"]
    async with engine.connect() as conn:
        ledger = await payments.ledger(conn, order.order_id)
    assert [(entry.kind, str(entry.amount)) for entry in ledger] == [
        ("authorization", "30.00"),
        ("capture", "30.00"),
    ]

    read = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert [entry["status"] for entry in read["timeline"]] == [
        "received",
        "reserved",
        "accepted",
        "picked",
        "ready_for_pickup",
        "collected",
    ]
    assert read["timeline"][-1]["actor"] == "ops/lea"  # the key that collected (tests act as ops)
    assert read["timeline"][4]["reason"] == "staged at shelf C7"
    assert "pickup_code" not in read
    kinds = [
        (m["kind"], m["channel"])
        for m in (await api.get(f"/v1/orders/{order.order_id}/notifications")).json()
    ]
    assert kinds == [
        ("order_confirmed", "email"),
        ("ready_for_pickup", "email"),
        ("ready_for_pickup", "sms"),
        ("receipt", "email"),
    ]

    refused = await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "too late"})
    assert refused.status_code == 409
    assert refused.json()["current_status"] == "collected"

    description = await client.get_workflow_handle(order.order_id).describe()
    attributes = description.typed_search_attributes
    assert attributes.get(ids.SA_ORDER_STATUS) == "collected"
    assert attributes.get(ids.SA_STORE_ID) == "paris-rivoli"
    assert attributes.get(ids.SA_CHANNEL) == "webshop"
    await client.get_workflow_handle(order.order_id).result()
    await keep_history(client, order.order_id, "collected")


async def test_store_steps_out_of_order_are_refused_with_the_current_status(api: httpx.AsyncClient) -> None:
    order = placement()
    assert (await place(api, order)).status_code == 201
    early = await step(api, order, "ready", {"staging_location": "shelf A1"})
    assert early.status_code == 409
    assert early.json() == {
        "error": "transition_not_allowed",
        "message": "order is reserved; it cannot become ready_for_pickup",
        "current_status": "reserved",
    }
    assert (await step(api, order, "accept")).status_code == 200
    short = await step(api, order, "pick", {"lines": [{"sku": "TENT-2P", "quantity": 0}]})
    assert short.status_code == 422
    assert short.json()["detail"][0]["loc"] == ["body", "lines", 0, "quantity"]
    wrong_store = await api.post(f"/v1/stores/lyon-part-dieu/orders/{order.order_id}/accept")
    assert wrong_store.status_code == 404
