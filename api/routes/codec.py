"""The codec server: lets an authorised operator's Temporal UI (and `temporal --codec-endpoint`) show
encrypted workflow payloads decrypted (ops and support keys, as X-API-Key or a bearer token), and lets
ops encrypt what the UI sends to a workflow (a signal, an update). It never encrypts customer data:
that would create a customer key on any operator's say, and outlive an erasure.

`oms up` also wires its embedded Temporal UI to `/codec/ui/{token}` (`embedded_ui_router`): the UI of the
dev server cannot send a key, so a per-run token in the path stands for it, and only a browser page of the
UI's own origin may use it (docs/operations.md)."""

import hmac
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from adapters.codec import EncryptionCodec, UnknownKey, is_encrypted, parse_keys
from adapters.customer_keys import CustomerKeyStore
from api.access import authorize
from api.errors import ApiError

router = APIRouter(prefix="/codec", tags=["operations"], dependencies=[Depends(authorize)])
embedded_ui_router = APIRouter(prefix="/codec/ui/{token}", tags=["operations"], include_in_schema=False)


class _CustomerPayload(Exception):
    pass


class _NoCustomerKeys(CustomerKeyStore):
    """Asked for a customer's key only when a payload names a customer: refused, nothing created."""

    async def key_for(self, ref: str, *, create: bool) -> bytes:
        raise _CustomerPayload


def _parse(body: dict[str, Any]) -> list[Payload]:
    try:
        return list(json_format.ParseDict(body, Payloads()).payloads)
    except json_format.ParseError as error:
        raise ApiError(422, "validation_error", f"body: not a Payloads document ({error})") from None


def _answer(payloads: Sequence[Payload]) -> dict[str, Any]:
    return json_format.MessageToDict(Payloads(payloads=payloads))


def _configured(request: Request) -> None:
    if request.app.state.temporal.data_converter.payload_codec is None:
        raise ApiError(404, "not_configured", "workflow payloads are not encrypted (no OMS_PAYLOAD_KEYS)")


@router.post("/decode")
async def decode(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Decrypt payloads (Temporal's codec server protocol: {"payloads": [{"metadata": ..., "data": ...}]})."""
    return await _decode(request, body)


@router.post("/encode")
async def encode(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """Encrypt payloads with the namespace key, e.g. a signal sent from the Temporal UI (ops only);
    a payload naming a customer is refused (422 customer_data)."""
    return await _encode(request, body)


def _embedded_ui(request: Request, token: str) -> None:
    """The embedded UI's token, from a page of the UI's own origin; anything else is not found (404), as
    when no token is configured."""
    expected = request.app.state.settings.codec_ui_token
    origin = request.headers.get("origin", "")
    if not (
        expected
        and hmac.compare_digest(token.encode(), expected.encode())
        and origin in request.app.state.codec_origins
    ):
        raise ApiError(404, "not_found", "no such codec endpoint")


@embedded_ui_router.post("/decode")
async def embedded_ui_decode(
    request: Request,
    token: str,
    body: dict[str, Any] = Body(...),  # noqa: B008
) -> dict[str, Any]:
    """`/codec/decode` for the embedded Temporal UI of `oms up`."""
    _embedded_ui(request, token)
    return await _decode(request, body)


@embedded_ui_router.post("/encode")
async def embedded_ui_encode(
    request: Request,
    token: str,
    body: dict[str, Any] = Body(...),  # noqa: B008
) -> dict[str, Any]:
    """`/codec/encode` for the embedded Temporal UI of `oms up` (a signal sent from it)."""
    _embedded_ui(request, token)
    return await _encode(request, body)


async def _decode(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    _configured(request)
    codec = request.app.state.temporal.data_converter.payload_codec
    try:  # what is not encrypted is shown as it is: the UI sends every payload of a history
        return _answer([(await codec.decode([p]))[0] if is_encrypted(p) else p for p in _parse(body)])
    except (UnknownKey, ValueError) as error:
        raise ApiError(422, "undecodable", str(error)) from None


async def _encode(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    _configured(request)
    settings = request.app.state.settings
    keys = parse_keys(settings.payload_keys)
    codec = EncryptionCodec(
        keys, settings.payload_key_id or sorted(keys)[-1], _NoCustomerKeys(request.app.state.engine)
    )
    encoded = []
    for index, payload in enumerate(_parse(body)):
        try:
            encoded += await codec.encode([payload])
        except _CustomerPayload:
            message = f"payloads[{index}] names a customer: the codec server does not encrypt customer data"
            raise ApiError(422, "customer_data", message) from None
    return _answer(encoded)
