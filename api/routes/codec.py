"""The codec server: lets an authorised operator's Temporal UI (and `temporal --codec-endpoint`) show
encrypted workflow payloads decrypted. ops and support keys only, as X-API-Key or a bearer token."""

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from adapters.codec import UnknownKey
from api.access import authorize
from api.errors import ApiError

router = APIRouter(prefix="/codec", tags=["operations"], dependencies=[Depends(authorize)])


async def _run(request: Request, body: dict[str, Any], direction: str) -> dict[str, Any]:
    codec = request.app.state.temporal.data_converter.payload_codec
    if codec is None:
        raise ApiError(404, "not_configured", "workflow payloads are not encrypted (no OMS_PAYLOAD_KEYS)")
    try:
        payloads = json_format.ParseDict(body, Payloads())
    except json_format.ParseError as error:
        raise ApiError(422, "validation_error", f"body: not a Payloads document ({error})") from None
    try:
        converted = await (codec.decode if direction == "decode" else codec.encode)(list(payloads.payloads))
    except (UnknownKey, ValueError) as error:
        raise ApiError(422, "undecodable", str(error)) from None
    return json_format.MessageToDict(Payloads(payloads=converted))


@router.post("/decode")
async def decode(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Decrypt payloads (Temporal's codec server protocol: {"payloads": [{"metadata": ..., "data": ...}]})."""
    return await _run(request, body, "decode")


@router.post("/encode")
async def encode(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Encrypt payloads, e.g. for a signal sent from the Temporal UI."""
    return await _run(request, body, "encode")
