"""Delivery reports from Twilio and SendGrid: recorded only with a valid signature."""

import base64
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from twilio.request_validator import RequestValidator

from adapters.db import outbox
from adapters.db.tables import notifications
from tests.conftest import placement
from tests.integration.conftest import _api, eventually, settings_for
from tests.integration.flow import place

TOKEN = "twilio-webhook-token"
PUBLIC_URL = "https://oms.example"
KEY = ec.generate_private_key(ec.SECP256R1())
PUBLIC_KEY = base64.b64encode(
    KEY.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
).decode()


@pytest.fixture(scope="module")
async def hooks_api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(client, database_url)
    settings.public_url = PUBLIC_URL
    settings.twilio_auth_token = TOKEN
    settings.sendgrid_webhook_public_key = PUBLIC_KEY
    async for http in _api(settings, client, engine):
        yield http


async def sent_message(api: httpx.AsyncClient, engine: AsyncEngine, provider_id: str) -> str:
    """An order whose confirmation email carries `provider_id`, as a provider would have answered."""
    order = placement()
    assert (await place(api, order)).status_code == 201

    async def confirmation_sent() -> bool:  # sent, not only recorded: its send records its own id after
        async with engine.connect() as conn:
            messages = await outbox.for_order(conn, order.order_id)
        return bool(messages) and all(message.status == outbox.SENT for message in messages)

    await eventually(confirmation_sent)
    async with engine.begin() as conn:
        await conn.execute(
            update(notifications)
            .where(notifications.c.order_id == order.order_id)
            .values(provider_message_id=provider_id)
        )
    return order.order_id


async def delivery(engine: AsyncEngine, order_id: str) -> tuple[str | None, str | None]:
    async with engine.connect() as conn:
        row = (await outbox.for_order(conn, order_id))[0]
    return row.delivery_status, row.failure


async def test_twilio_status_callback_needs_a_valid_signature(
    hooks_api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order_id = await sent_message(hooks_api, engine, "SMabc123")
    form = {"MessageSid": "SMabc123", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    path = "/v1/webhooks/twilio/status"
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + path, form)

    missing = await hooks_api.post(path, data=form)
    assert missing.status_code == 401
    tampered = await hooks_api.post(
        path, data={**form, "MessageStatus": "delivered"}, headers={"X-Twilio-Signature": signature}
    )
    assert tampered.status_code == 403
    assert await delivery(engine, order_id) == (None, None)

    valid = await hooks_api.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert valid.status_code == 200 and valid.json() == {"updated": 1}
    assert await delivery(engine, order_id) == ("undelivered", "twilio error 30003")


def sendgrid_headers(payload: str, timestamp: str | None = None) -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    signature = KEY.sign((timestamp + payload).encode(), ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


async def test_sendgrid_event_webhook_needs_a_valid_signature(
    hooks_api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order_id = await sent_message(hooks_api, engine, "sgXYZ789")
    payload = json.dumps([{"sg_message_id": "sgXYZ789.filter0001.16648.5515E0B88.0", "event": "delivered"}])
    path = "/v1/webhooks/sendgrid/events"

    assert (await hooks_api.post(path, content=payload)).status_code == 401
    headers = sendgrid_headers(payload)
    forged = payload.replace("delivered", "bounce")
    assert (await hooks_api.post(path, content=forged, headers=headers)).status_code == 403
    garbage = {**headers, "X-Twilio-Email-Event-Webhook-Signature": "bm90IGEgc2lnbmF0dXJl"}
    assert (await hooks_api.post(path, content=payload, headers=garbage)).status_code == 403
    assert await delivery(engine, order_id) == (None, None)

    valid = await hooks_api.post(path, content=payload, headers=headers)
    assert valid.status_code == 200 and valid.json() == {"updated": 1}
    assert await delivery(engine, order_id) == ("delivered", None)


async def test_a_sendgrid_report_signed_too_long_ago_is_refused(
    hooks_api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order_id = await sent_message(hooks_api, engine, "sgSTALE1")
    payload = json.dumps([{"sg_message_id": "sgSTALE1.filter0001", "event": "bounce"}])
    path = "/v1/webhooks/sendgrid/events"
    for skew in (-3600, 3600):  # a replay from an hour ago, or a signature dated an hour ahead
        stale = sendgrid_headers(payload, str(int(time.time()) + skew))
        refused = await hooks_api.post(path, content=payload, headers=stale)
        assert refused.status_code == 403 and refused.json()["error"] == "signature_stale", refused.text
    assert await delivery(engine, order_id) == (None, None)


def signed_bytes(body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = KEY.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


@pytest.mark.parametrize(
    "body",
    [
        b'{"sg_message_id": "x", "event": "delivered"}',
        b"[1, 2]",
        b'"delivered"',
        b"not json",
        b"\xff\xfe[]",
        b'[{"sg_message_id": "x", "event": "bounce", "reason": {"smtp": 550}}]',
        b'[{"sg_message_id": "x", "event": "' + b"e" * 100 + b'"}]',
    ],
)
async def test_odd_signed_sendgrid_bodies_are_refused_naming_the_body(
    hooks_api: httpx.AsyncClient, body: bytes
) -> None:
    refused = await hooks_api.post("/v1/webhooks/sendgrid/events", content=body, headers=signed_bytes(body))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "validation_error"
    assert refused.json()["detail"][0]["loc"][0] == "body"


async def test_twilio_reports_come_as_forms_only(hooks_api: httpx.AsyncClient) -> None:
    path = "/v1/webhooks/twilio/status"
    files: dict[str, tuple[str | None, bytes]] = {
        "MessageSid": (None, b"SM1"),
        "attachment": ("a.txt", b"zz"),
    }
    refused = await hooks_api.post(path, files=files, headers={"X-Twilio-Signature": "c2ln"})
    assert refused.status_code == 415 and refused.json()["error"] == "unsupported_media_type"
    as_json = await hooks_api.post(path, json={"MessageSid": "SM1"}, headers={"X-Twilio-Signature": "c2ln"})
    assert as_json.status_code == 415


async def test_a_replayed_report_cannot_move_a_message_back(
    hooks_api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order_id = await sent_message(hooks_api, engine, "SMreplay1")
    path = "/v1/webhooks/twilio/status"

    async def report(status: str) -> httpx.Response:
        form = {"MessageSid": "SMreplay1", "MessageStatus": status}
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + path, form)
        return await hooks_api.post(path, data=form, headers={"X-Twilio-Signature": signature})

    assert (await report("sent")).json() == {"updated": 1}
    assert (await report("delivered")).json() == {"updated": 1}
    replayed = await report("sent")  # captured earlier, sent again
    assert replayed.status_code == 200 and replayed.json() == {"updated": 0}
    assert (await report("undelivered")).json() == {"updated": 0}  # the fate is known already
    assert await delivery(engine, order_id) == ("delivered", None)
