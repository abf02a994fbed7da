"""Delivery reports from the providers, accepted only with a valid signature."""

import json
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel
from sendgrid.helpers.eventwebhook import EventWebhook
from twilio.request_validator import RequestValidator

from adapters.db import outbox
from api.deps import EngineDep, SettingsDep
from api.errors import ApiError

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


class Recorded(BaseModel):
    updated: int


def _unsigned() -> ApiError:
    return ApiError(401, "signature_missing", "the request carries no provider signature")


def _forged() -> ApiError:
    return ApiError(403, "signature_invalid", "the provider signature does not match the request")


@router.post("/twilio/status", response_model=Recorded)
async def twilio_status(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    signature: Annotated[str | None, Header(alias="X-Twilio-Signature")] = None,
) -> Recorded:
    """Twilio's status callback for an SMS (queued, sent, delivered, undelivered, failed)."""
    if not signature:
        raise _unsigned()
    if not settings.twilio_auth_token:
        raise ApiError(404, "not_configured", "Twilio is not configured")
    form = dict((await request.form()).items())
    url = f"{settings.public_url.rstrip('/')}{request.url.path}"
    if not RequestValidator(settings.twilio_auth_token).validate(url, form, signature):
        raise _forged()
    sid, status = str(form.get("MessageSid", "")), str(form.get("MessageStatus", ""))
    error = form.get("ErrorCode")
    async with engine.begin() as conn:
        updated = await outbox.record_delivery(conn, sid, status, f"twilio error {error}" if error else None)
    return Recorded(updated=updated)


@router.post("/sendgrid/events", response_model=Recorded)
async def sendgrid_events(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    signature: Annotated[str | None, Header(alias="X-Twilio-Email-Event-Webhook-Signature")] = None,
    timestamp: Annotated[str | None, Header(alias="X-Twilio-Email-Event-Webhook-Timestamp")] = None,
) -> Recorded:
    """SendGrid's event webhook (delivered, bounce, dropped, deferred...), signed with ECDSA."""
    if not signature or not timestamp:
        raise _unsigned()
    if not settings.sendgrid_webhook_public_key:
        raise ApiError(404, "not_configured", "the SendGrid event webhook key is not configured")
    payload = (await request.body()).decode()
    verifier = EventWebhook(settings.sendgrid_webhook_public_key)
    try:
        valid = verifier.verify_signature(payload, signature, timestamp)
    except ValueError:
        valid = False
    if not valid:
        raise _forged()
    updated = 0
    async with engine.begin() as conn:
        for event in json.loads(payload):
            message_id = str(event.get("sg_message_id", "")).split(".")[0]
            reason = event.get("reason") or event.get("response")
            updated += await outbox.record_delivery(conn, message_id, str(event.get("event")), reason)
    return Recorded(updated=updated)
