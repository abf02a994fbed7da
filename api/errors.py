"""Domain and Temporal failures mapped to HTTP answers, in one place."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.errors import OrderError


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


def from_update_failure(failure: WorkflowUpdateFailedError, body_field: str | None = None) -> ApiError:
    """Map an update the order workflow refused to the answer the caller should see."""
    cause = failure.cause
    if not isinstance(cause, ApplicationError):
        return ApiError(502, "order_update_failed", str(cause or failure))
    details = list(cause.details)
    if cause.type == OrderError.TRANSITION:
        return ApiError(
            409, "transition_not_allowed", cause.message, current_status=details[0] if details else None
        )
    if cause.type == OrderError.INVALID_PICK:
        return invalid_field(["body", *_path(details[0] if details else "lines")], cause.message)
    if cause.type == OrderError.WRONG_PICKUP_CODE:
        return invalid_field(["body", "pickup_code"], cause.message)
    if cause.type == OrderError.PICKUP_LOCKED:
        return ApiError(423, "pickup_locked", cause.message)
    if cause.type == OrderError.NOT_LOCKED:
        return ApiError(409, "pickup_not_locked", cause.message)
    if cause.type == OrderError.NOTHING_TO_RESEND:
        return ApiError(409, "nothing_to_resend", cause.message)
    if cause.type == OrderError.CHANNEL_ORDER_CONFLICT:
        return ApiError(409, "channel_order_conflict", cause.message)
    if cause.type == OrderError.EXCEPTION_PENDING:
        return ApiError(409, "exception_pending", cause.message)
    if cause.type == OrderError.INVALID_CHOICE:
        return invalid_field(["body", *_path(details[0] if details else "option")], cause.message)
    return ApiError(502, "order_update_failed", cause.message)


def _path(field: str) -> list[str | int]:
    """'lines[1].quantity' -> ['lines', 1, 'quantity']"""
    parts: list[str | int] = []
    for piece in field.replace("]", "").split("."):
        name, _, index = piece.partition("[")
        parts.append(name)
        if index:
            parts.append(int(index))
    return parts


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _answer(_: Request, error: ApiError) -> JSONResponse:
        body = {"error": error.error, "message": error.message, **error.extra}
        return JSONResponse(status_code=error.status, content=body)

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
            from services.intake import CANONICAL, dead_letter

            reasons = jsonable_encoder(invalid.errors())
            error = await dead_letter(
                request.app.state.engine, CANONICAL, jsonable_encoder(invalid.body), reasons
            )
            return await _answer(request, error)
        return await request_validation_exception_handler(request, invalid)
