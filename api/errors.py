"""Service and domain refusals mapped to HTTP answers, in one place; servers that cannot be reached
answer 503 with their name, anything else a JSON 500 whose error id is in the log."""

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.outages import database_unavailable, first_line, temporal_unavailable
from domain.errors import OrderError
from services import errors as refused
from services.health import OutageWatch
from services.intake import CANONICAL, dead_letter

log = logging.getLogger("oms.api")

RETRY_AFTER_SECONDS = 5
"""What a 503 suggests the caller wait before retrying (the outage watch probes every 2 s)."""


class ApiError(Exception):
    """An answer other than success: status code, a stable error code, a message, and data."""

    def __init__(self, status: int, error: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.extra = extra


def not_found(kind: str, key: str) -> ApiError:
    return ApiError(404, f"{kind}_not_found", f"{kind} {key!r} does not exist")


def invalid_field(location: list[str | int], message: str) -> ApiError:
    """A 422 in FastAPI's own shape, so every validation error names its field the same way."""
    return ApiError(
        422, "validation_error", message, detail=[{"loc": location, "msg": message, "type": "value_error"}]
    )


def _alternatives(alternatives: list[Any]) -> list[dict[str, Any]]:
    return [
        store.model_dump(mode="json", include={"store_id", "distance_km", "ready_by", "ready_today"})
        for store in alternatives
    ]


def http_answer(error: refused.ServiceError) -> ApiError:
    """The HTTP answer to a refusal from the service layer."""
    match error:
        case refused.NotFound():
            return not_found(error.kind, error.key)
        case refused.InvalidField():
            return invalid_field(["body", *error.field], error.message)
        case refused.Forbidden():
            return ApiError(403, "forbidden", str(error))
        case refused.InsufficientStock():
            missing = [line.model_dump() for line in error.missing]
            return ApiError(
                409,
                "insufficient_stock",
                str(error),
                order_id=error.order_id,
                missing=missing,
                alternatives=_alternatives(error.alternatives),
            )
        case refused.StoreClosed():
            return ApiError(
                409,
                "store_closed",
                str(error),
                order_id=error.order_id,
                missing=[],
                alternatives=_alternatives(error.alternatives),
            )
        case refused.HoldRefused():
            return ApiError(
                409, "insufficient_stock", str(error), missing=[line.model_dump() for line in error.missing]
            )
        case refused.SlotFull():
            return ApiError(409, "slot_full", str(error), starts_at=error.starts_at.isoformat())
        case refused.KeyRevoked():
            return ApiError(409, "api_key_revoked", str(error), key_id=error.key_id)
        case refused.ChannelOrderConflict():
            return ApiError(409, "channel_order_conflict", str(error))
        case refused.TemporalUnavailable():
            return ApiError(503, "temporal_unavailable", str(error))
        case refused.DatabaseUnavailable():
            return ApiError(503, "database_unavailable", str(error))
        case refused.OrderBusy():
            return ApiError(503, "order_busy", str(error))
        case refused.StepRefused():
            return _step_refused(error)
        case refused.OrderEnded():
            return ApiError(409, "transition_not_allowed", str(error), current_status=error.status)
        case refused.OrdersInProgress():
            return ApiError(409, "orders_in_progress", str(error), orders=error.orders)
        case refused.CountSuperseded():
            return ApiError(
                409,
                "count_superseded",
                str(error),
                later_count_at=error.later_count_at.isoformat(),
                on_hand=error.on_hand,
            )
        case refused.TrackingLinkExpired():
            return ApiError(410, "tracking_link_expired", str(error), expired_at=error.expired_at.isoformat())
        case refused.NotConfigured():
            return ApiError(404, "not_configured", str(error))
        case refused.DeadLettered():
            return _dead_lettered(error)
        case refused.ReturnNotAccepted():
            return _return_refused(error)
    return ApiError(500, "internal_error", str(error))


_RETURN_ANSWERS = {  # window and quantities: the associate changes the form; the others: nothing to do
    "ReturnWindowClosed": (422, "return_window_closed"),
    "MoreThanBought": (422, "more_than_bought"),
    "OrderNotCollected": (409, "order_not_collected"),
    "LineAlreadyReturned": (409, "line_already_returned"),
    "SeveralOrders": (422, "several_orders"),  # a pickup code or number more than one order answers to
}


def _return_refused(error: refused.ReturnNotAccepted) -> ApiError:
    status, code = _RETURN_ANSWERS[error.error]
    return ApiError(status, code, str(error), field=error.field)


def _step_refused(error: refused.StepRefused) -> ApiError:
    """An update the order workflow refused, as the caller should see it."""
    details, message = error.details, error.message
    match error.kind:
        case OrderError.TRANSITION:
            current = details[0] if details else None
            return ApiError(409, "transition_not_allowed", message, current_status=current)
        case OrderError.INVALID_PICK:
            return invalid_field(["body", *_path(details[0] if details else "lines")], message)
        case OrderError.WRONG_PICKUP_CODE:
            return invalid_field(["body", "pickup_code"], message)
        case OrderError.PICKUP_LOCKED:
            return ApiError(423, "pickup_locked", message)
        case OrderError.NOT_LOCKED:
            return ApiError(409, "pickup_not_locked", message)
        case OrderError.NOTHING_TO_RESEND:
            return ApiError(409, "nothing_to_resend", message)
        case OrderError.CHANNEL_ORDER_CONFLICT:
            return ApiError(409, "channel_order_conflict", message)
        case OrderError.EXCEPTION_PENDING:
            return ApiError(409, "exception_pending", message)
        case OrderError.INVALID_CHOICE:
            return invalid_field(["body", *_path(details[0] if details else "option")], message)
    return ApiError(502, "order_update_failed", message)


def _dead_lettered(error: refused.DeadLettered) -> ApiError:
    """The refusal behind a dead letter (or every bad field of the payload), with the letter's id."""
    if error.cause is not None:
        cause = http_answer(error.cause)
        return ApiError(
            cause.status, cause.error, cause.message, **cause.extra, dead_letter_id=error.dead_letter_id
        )
    return ApiError(
        422, "validation_error", str(error), detail=error.reasons, dead_letter_id=error.dead_letter_id
    )


def _path(field: str) -> list[str | int]:
    """'lines[1].quantity' -> ['lines', 1, 'quantity']"""
    parts: list[str | int] = []
    for piece in field.replace("]", "").split("."):
        name, _, index = piece.partition("[")
        parts.append(name)
        if index:
            parts.append(int(index))
    return parts


def as_outage(error: BaseException) -> refused.Unavailable | None:
    """The named outage behind a failure, if a server could not be reached."""
    if isinstance(error, refused.Unavailable):
        return error
    if database_unavailable(error):
        return refused.DatabaseUnavailable()
    if temporal_unavailable(error):
        return refused.TemporalUnavailable("Temporal cannot be reached; retry the request")
    return None


def json_answer(error: ApiError) -> JSONResponse:
    body = {"error": error.error, "message": error.message, **error.extra}
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if error.status == 503 else None
    return JSONResponse(status_code=error.status, content=body, headers=headers)


def failure_answer(scope: Scope, error: BaseException) -> JSONResponse:
    """503 naming the server that could not be reached (the outage watch logs it once), else a JSON 500
    whose id is logged with the traceback."""
    if outage := as_outage(error):
        watch: OutageWatch | None = getattr(scope["app"].state, "outages", None)
        if watch is not None:
            watch.down(outage.dependency, first_line(error))
        return json_answer(http_answer(outage))
    error_id = uuid.uuid4().hex[:12]
    log.error("error %s on %s %s", error_id, scope.get("method"), scope.get("path"), exc_info=error)
    message = f"an unexpected error occurred; quote error id {error_id} to support"
    return json_answer(ApiError(500, "internal_error", message, error_id=error_id))


class Guard:
    """Every failure a route lets through becomes a JSON answer (pure ASGI, around every route and
    exception handler, so that a failure inside a handler is answered too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            answer = failure_answer(scope, error)
            if not started:  # once the answer has begun, the log line is all that can be done
                await answer(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(Guard)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        """What escapes even the guard (the outer middleware): still JSON, still with an id."""
        return failure_answer(request.scope, error)

    @app.exception_handler(ApiError)
    async def _answer(_: Request, error: ApiError) -> JSONResponse:
        return json_answer(error)

    @app.exception_handler(refused.ServiceError)
    async def _refused(request: Request, error: refused.ServiceError) -> JSONResponse:
        if isinstance(error, refused.Unavailable):
            return failure_answer(request.scope, error)
        return await _answer(request, http_answer(error))

    @app.exception_handler(ValidationError)
    async def _contract(_: Request, invalid: ValidationError) -> JSONResponse:
        """A contract built from a valid request body can still refuse it (e.g. an associate's name)."""
        detail = [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in invalid.errors()]
        return JSONResponse(
            status_code=422, content={"error": "validation_error", "message": str(invalid), "detail": detail}
        )

    @app.exception_handler(DataError)
    async def _unstorable(_: Request, error: DataError) -> JSONResponse:
        """The database refused a value the request carried (e.g. a NUL character in a path)."""
        message = "the request contains characters that cannot be stored or searched"
        return JSONResponse(status_code=422, content={"error": "validation_error", "message": message})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, invalid: RequestValidationError) -> JSONResponse:
        """A channel's invalid order is kept as a dead letter; any other invalid request is just answered."""
        if request.method == "POST" and request.url.path == "/v1/orders":
            reasons = jsonable_encoder(invalid.errors())
            error = await dead_letter(
                request.app.state.engine, CANONICAL, jsonable_encoder(invalid.body), reasons
            )
            return await _refused(request, error)
        return await request_validation_exception_handler(request, invalid)
