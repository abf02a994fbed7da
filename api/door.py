"""What is checked at the door, before a route reads a byte of the body: the key (401 / 403) and the
body's size (413, refused while it streams in). A pure ASGI middleware, so that no validation error
handler, dead letter or JSON parser ever sees a request from someone without a key, and no request
can make the API (which shares its event loop with the worker in `oms up`) hold a huge body."""

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.access import ROUTE_ROLES, admit, grant_for
from api.errors import ApiError

KIB = 1024
DEFAULT_LIMIT = 64 * KIB
BODY_LIMITS: dict[tuple[str, str], int] = {
    ("POST", "/v1/orders"): 256 * KIB,
    ("POST", "/v1/channels/{channel}/orders"): 1024 * KIB,
    ("POST", "/v1/inventory/events"): 1024 * KIB,
    ("POST", "/v1/webhooks/sendgrid/events"): 1024 * KIB,
    ("POST", "/codec/decode"): 4096 * KIB,
    ("POST", "/codec/encode"): 1024 * KIB,
    ("POST", "/codec/ui/{token}/decode"): 4096 * KIB,
    ("POST", "/codec/ui/{token}/encode"): 1024 * KIB,
    ("POST", "/v1/returns"): 128 * KIB,  # up to 100 lines of up to 999 conditions each
    ("POST", "/v1/orders/{order_id}/pickup-slot"): 1 * KIB,  # one instant
    ("PUT", "/v1/admin/stores/{store_id}"): 256 * KIB,  # up to 400 special days
    ("PUT", "/v1/admin/stores/{store_id}/locations/{sku}"): 4 * KIB,
    ("PUT", "/v1/admin/stores/{store_id}/special-days/{day}"): 4 * KIB,
    ("PUT", "/v1/admin/products/{sku}"): 16 * KIB,
    ("POST", "/v1/admin/api-keys"): 4 * KIB,
    ("POST", "/v1/admin/api-keys/{key_id}/revoke"): 1 * KIB,
    ("POST", "/v1/admin/api-keys/{key_id}/rotate"): 1 * KIB,
    ("POST", "/v1/admin/subscriptions"): 8 * KIB,  # a URL, a secret and the event types
}
"""Bytes of request body a route accepts, where it differs from DEFAULT_LIMIT (docs/api.md)."""


def body_limit(method: str, path: str) -> int:
    return BODY_LIMITS.get((method, path), DEFAULT_LIMIT)


class BodyTooLarge(HTTPException):
    """Raised from `receive` as the body passes its limit; an HTTPException, so FastAPI lets it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413)
        self.limit = limit


def too_large(limit: int) -> ApiError:
    message = f"the request body exceeds {limit} bytes, the limit of this route"
    return ApiError(413, "body_too_large", message, limit=limit)


def answer(error: ApiError) -> JSONResponse:
    return JSONResponse({"error": error.error, "message": error.message, **error.extra}, error.status)


class Door:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        routes = sorted({*ROUTE_ROLES, *BODY_LIMITS}, key=lambda route: (route[1].count("{"), route))
        self._routes = [(method, compile_path(path)[0], path) for method, path in routes]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path, params = self._route(method, scope["path"])
        limit = body_limit(method, path)
        try:
            if (method, path) in ROUTE_ROLES:
                grant = await grant_for(Request(scope), _key(Headers(scope=scope)))
                admit(grant, method, path, params)
            if _declared_length(scope) > limit:
                raise too_large(limit)
        except ApiError as refused:
            await answer(refused)(scope, receive, send)
            return
        await self.app(scope, _counted(receive, limit), send)

    def _route(self, method: str, path: str) -> tuple[str, Mapping[str, Any]]:
        """The declared route (template) the request falls under ('' when none), and its path parameters."""
        for declared, pattern, template in self._routes:
            if declared == method and (match := pattern.match(path)):
                return template, match.groupdict()
        return "", {}


def _key(headers: Headers) -> str | None:
    """X-API-Key, or the same key as a bearer token (the Temporal UI's codec calls)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return headers.get("x-api-key") or (token.strip() if scheme.lower() == "bearer" else None)


def _declared_length(scope: Scope) -> int:
    try:
        return int(Headers(scope=scope).get("content-length", "0"))
    except ValueError:
        return 0  # not a number: the server refuses it; the streamed count below still holds


def _counted(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


def install(app: FastAPI) -> None:
    """The door in front of every route, and the 413 answer for a body that outgrew its limit."""

    async def _refused(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, BodyTooLarge)
        return answer(too_large(error.limit))

    app.add_exception_handler(BodyTooLarge, _refused)
    app.add_middleware(Door)


class CodecCors:
    """CORS for the codec routes only (the Temporal UI calls them from the browser); every other route
    answers browsers from other origins nothing they may read."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["POST"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Namespace"],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        codec = scope["type"] == "http" and scope["path"].startswith("/codec/")
        await (self.cors if codec else self.app)(scope, receive, send)
