"""Customer data is encrypted in Temporal: the history read straight from the server shows none of it,
and only an authorised operator's codec calls decrypt it."""

import base64

import httpx
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.testing import WorkflowEnvironment

from tests.conftest import placement
from tests.integration.flow import place, prepare

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
