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

    async def confirmation_sent() -> bool:
        async with engine.connect() as conn:
            return bool(await outbox.for_order(conn, order.order_id))

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
