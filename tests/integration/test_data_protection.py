"""Customer data is encrypted in Temporal: the history read straight from the server shows none of it,
and only an authorised operator's codec calls decrypt it."""

import base64
import uuid

import httpx
from google.protobuf import json_format
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.common.v1 import Payloads
from temporalio.testing import WorkflowEnvironment

from adapters.db import payments
from adapters.db.stock import check_ledger
from tests.conftest import placement
from tests.integration.flow import place, prepare, stock

SUPPORT = {"X-API-Key": "test-support"}
CUSTOMER_DATA = [b"camille@example.com", b"+33612345678", b"Camille Martin"]


async def test_the_history_holds_no_customer_data_in_clear(
    api: httpx.AsyncClient, temporal: WorkflowEnvironment
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)  # the ready message (name, email, phone) went through an activity too
    raw = temporal.client  # no codec: what anyone reading the server sees
    history = await raw.get_workflow_handle(order.order_id).fetch_history()
    everything = b"".join(event.SerializeToString() for event in history.events)
    assert len(history.events) > 10
    for secret in CUSTOMER_DATA:
        assert secret not in everything

    started = history.events[0].workflow_execution_started_event_attributes.input
    assert started.payloads[0].metadata["encoding"] == b"binary/encrypted"
    body = json_format.MessageToDict(started)
    decoded = await api.post("/codec/decode", json=body, headers={"X-API-Key": "test-support"})
    assert decoded.status_code == 200, decoded.text
    plain = json_format.ParseDict(decoded.json(), Payloads()).payloads[0]
    assert plain.metadata["encoding"] == b"json/plain" and b"camille@example.com" in plain.data

    bearer = await api.post(
        "/codec/decode", json=body, headers={"X-API-Key": "", "Authorization": "Bearer test-ops"}
    )
    assert bearer.status_code == 200
    assert (await api.post("/codec/decode", json=body, headers={"X-API-Key": ""})).status_code == 401
    assert (
        await api.post("/codec/decode", json=body, headers={"X-API-Key": "test-store-paris"})
    ).status_code == 403


async def test_the_codec_round_trips_and_refuses_what_it_cannot_read(api: httpx.AsyncClient) -> None:
    plain = {
        "payloads": [
            {
                "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
                "data": base64.b64encode(b'{"a": 1}').decode(),
            }
        ]
    }
    encoded = (await api.post("/codec/encode", json=plain)).json()
    assert encoded["payloads"][0]["metadata"]["encryption-key-id"] == base64.b64encode(b"test-k1").decode()
    assert (await api.post("/codec/decode", json=encoded)).json() == plain
    foreign = {
        "payloads": [
            {
                "metadata": {
                    "encoding": base64.b64encode(b"binary/encrypted").decode(),
                    "encryption-key-id": base64.b64encode(b"retired").decode(),
                },
                "data": base64.b64encode(b"x" * 40).decode(),
            }
        ]
    }
    refused = await api.post("/codec/decode", json=foreign)
    assert refused.status_code == 422 and "retired" in refused.json()["message"]
    assert (await api.post("/codec/decode", json={"payloads": "nope"})).status_code == 422


async def test_erasing_a_customer_redacts_their_orders_and_makes_their_histories_unreadable(
    api: httpx.AsyncClient, temporal: WorkflowEnvironment, engine: AsyncEngine
) -> None:
    email = f"erase-{uuid.uuid4().hex[:8]}@example.com"
    mine = placement(lines=[("BOTTLE-1L", 1)])
    mine = mine.model_copy(update={"customer": mine.customer.model_copy(update={"email": email})})
    other = placement(lines=[("BOTTLE-1L", 1)])
    before = await stock(api, mine.store_id, "BOTTLE-1L")
    for order in (mine, other):
        assert (await place(api, order)).status_code == 201

    running = await api.post("/v1/customers/erasure", json={"email": email}, headers=SUPPORT)
    assert running.status_code == 409 and running.json()["orders"] == [mine.order_id]
    assert (
        await api.post(f"/v1/orders/{mine.order_id}/cancel", json={"reason": "customer left"})
    ).status_code == 200

    erased = await api.post("/v1/customers/erasure", json={"email": email.upper()}, headers=SUPPORT)
    assert erased.status_code == 200 and erased.json()["orders"] == [mine.order_id]

    shown = (await api.get(f"/v1/orders/{mine.order_id}")).json()
    assert shown["placement"]["customer"]["name"] == "[erased]" and email not in str(shown)
    messages = (await api.get(f"/v1/orders/{mine.order_id}/notifications")).json()
    assert messages and all(email not in str(m) and "Camille" not in m["body"] for m in messages)

    async def start_input(order_id: str) -> dict:
        history = await temporal.client.get_workflow_handle(order_id).fetch_history()
        return json_format.MessageToDict(history.events[0].workflow_execution_started_event_attributes.input)

    unreadable = await api.post("/codec/decode", json=await start_input(mine.order_id), headers=SUPPORT)
    assert unreadable.status_code == 422 and "erased" in unreadable.json()["message"]
    readable = await api.post("/codec/decode", json=await start_input(other.order_id), headers=SUPPORT)
    assert readable.status_code == 200

    after = await stock(
        api, mine.store_id, "BOTTLE-1L"
    )  # the erased order's unit is back; the other holds one
    assert (after["on_hand"], after["reserved"]) == (before["on_hand"], before["reserved"] + 1)
    async with engine.connect() as conn:
        assert await check_ledger(conn) == []
        assert [e.kind for e in await payments.ledger(conn, mine.order_id)] == ["authorization", "void"]


async def test_a_customer_can_order_again_after_erasure_without_reviving_old_data(
    api: httpx.AsyncClient,
) -> None:
    email = f"back-{uuid.uuid4().hex[:8]}@example.com"
    first = placement(lines=[("BOTTLE-1L", 1)])
    first = first.model_copy(update={"customer": first.customer.model_copy(update={"email": email})})
    assert (await place(api, first)).status_code == 201
    await api.post(f"/v1/orders/{first.order_id}/cancel", json={"reason": "test"})
    assert (
        await api.post("/v1/customers/erasure", json={"email": email}, headers=SUPPORT)
    ).status_code == 200

    again = placement(lines=[("BOTTLE-1L", 1)])
    again = again.model_copy(update={"customer": first.customer})
    assert (await place(api, again)).status_code == 201
    assert (await api.get(f"/v1/orders/{again.order_id}")).json()["placement"]["customer"]["email"] == email


async def test_erasure_refuses_what_cannot_be_an_email(api: httpx.AsyncClient) -> None:
    refused = await api.post("/v1/customers/erasure", json={"email": "a\u0000@b.fr"}, headers=SUPPORT)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "email"]
    stored = await api.get("/v1/orders/order-%00x")  # a NUL in a path reaches the database lookup
    assert stored.status_code in (404, 422)


async def test_the_embedded_ui_codec_is_closed_without_a_token(api: httpx.AsyncClient) -> None:
    ui = {"Origin": "http://127.0.0.1:8233", "X-API-Key": ""}  # the UI's origin, no key
    body: dict[str, list[object]] = {"payloads": []}
    for token in ("", "None", "guess"):
        assert (await api.post(f"/codec/ui/{token}/decode", json=body, headers=ui)).status_code == 404
