"""Delivery reports from the providers, accepted only with a valid signature.

What is checked before anything is parsed or kept: the signature headers are there, the body is the
kind the provider sends (and within its limit, api/door.py), SendGrid's signed timestamp is recent;
then the signature over the raw body; then the body's shape (422 naming the field). Twilio signs no
timestamp, so a replayed report is answered but cannot move a message back: a report never
overwrites a later status, and a message's fate (delivered, undelivered, bounced...) is final."""

import base64
import binascii
import time
from typing import Annotated

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sendgrid.helpers.eventwebhook import EventWebhook
from twilio.request_validator import RequestValidator

from api.deps import EngineDep, SettingsDep
from api.errors import ApiError
from domain.delivery_reports import DeliveryReport
from services import delivery_reports

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

SIGNATURE_TOLERANCE = 300  # seconds either side of now: SendGrid signs each delivery attempt afresh


class Recorded(BaseModel):
    updated: int


class TwilioReport(BaseModel):
    model_config = ConfigDict(extra="ignore")

    MessageSid: str = Field(min_length=1, max_length=120)
    MessageStatus: str = Field(min_length=1, max_length=32)
    ErrorCode: str | None = Field(default=None, max_length=16)


class SendGridEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sg_message_id: str | None = Field(default=None, max_length=240)
    event: str = Field(min_length=1, max_length=32)
    reason: str | None = None
    response: str | None = None


_SENDGRID_EVENTS = TypeAdapter(list[SendGridEvent])


def _unsigned() -> ApiError:
    return ApiError(401, "signature_missing", "the request carries no provider signature")


def _forged() -> ApiError:
    return ApiError(403, "signature_invalid", "the provider signature does not match the request")


def _invalid(invalid: ValidationError) -> ApiError:
    detail = [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in invalid.errors()]
    message = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)
    return ApiError(422, "validation_error", message, detail=detail)


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
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise ApiError(
            415, "unsupported_media_type", "Twilio reports come as application/x-www-form-urlencoded"
        )
    form = {key: str(value) for key, value in (await request.form()).items()}  # urlencoded: text only
    url = f"{settings.public_url.rstrip('/')}{request.url.path}"
    if not RequestValidator(settings.twilio_auth_token).validate(url, form, signature):
        raise _forged()
    try:
        report = TwilioReport.model_validate(form)
    except ValidationError as invalid:
        raise _invalid(invalid) from None
    failure = f"twilio error {report.ErrorCode}" if report.ErrorCode else None
    delivered = DeliveryReport(report.MessageSid, report.MessageStatus, failure)
    return Recorded(updated=await delivery_reports.record(engine, "twilio", [delivered]))


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
    _check_fresh(timestamp)
    body = await request.body()
    if not _sendgrid_signed(settings.sendgrid_webhook_public_key, signature, timestamp, body):
        raise _forged()
    try:
        events = _SENDGRID_EVENTS.validate_json(body)
    except ValidationError as invalid:
        raise _invalid(invalid) from None
    reports = [
        DeliveryReport(event.sg_message_id.split(".")[0], event.event, event.reason or event.response)
        for event in events
        if event.sg_message_id
    ]
    return Recorded(updated=await delivery_reports.record(engine, "sendgrid", reports))


def _check_fresh(timestamp: str) -> None:
    """A signature dated long ago (a replay) or ahead is refused, whatever it signs."""
    try:
        age = time.time() - int(timestamp)
    except ValueError:
        raise _forged() from None
    if abs(age) > SIGNATURE_TOLERANCE:
        when = f"{int(age)} s old" if age > 0 else f"dated {int(-age)} s ahead"
        message = f"the signature is {when}; at most {SIGNATURE_TOLERANCE} s either way is accepted"
        raise ApiError(403, "signature_stale", message)


def _sendgrid_signed(public_key: str, signature: str, timestamp: str, body: bytes) -> bool:
    """ECDSA over the timestamp and the raw body, checked on bytes: an odd body is refused, not decoded."""
    key = EventWebhook(public_key).public_key
    try:
        key.verify(base64.b64decode(signature), timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
