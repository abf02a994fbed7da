"""Why a use case refused: errors that carry the data an entry point needs to answer (HTTP status codes
and bodies are chosen in api/errors.py, nowhere else)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.decisions import CandidateScore
from domain.values import MissingLine

FieldPath = tuple[str | int, ...]


class ServiceError(Exception):
    """A request a use case will not carry out; `str(error)` says why in words."""


class NotFound(ServiceError):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} does not exist")
        self.kind, self.key = kind, key


class KeyRevoked(ServiceError):
    """The API key was revoked: it cannot be rotated (create a new one)."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"api key {key_id!r} is revoked; create a new key instead")
        self.key_id = key_id


class InvalidField(ServiceError):
    """One field of what the caller sent cannot be used (`field`: its path, e.g. ('lines', 0, 'sku'))."""

    def __init__(self, field: FieldPath, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class Forbidden(ServiceError):
    """The caller may not act on this (another store's order)."""


class InsufficientStock(ServiceError):
    """The pickup store cannot fill every line of an order; nothing was reserved."""

    def __init__(
        self, order_id: str, missing: Sequence[MissingLine], alternatives: Sequence[CandidateScore]
    ) -> None:
        super().__init__("the pickup store cannot fill every line; nothing was reserved")
        self.order_id, self.missing, self.alternatives = order_id, list(missing), list(alternatives)


class StoreClosed(ServiceError):
    """The pickup store takes no new orders (closed or frozen); nothing was reserved."""

    def __init__(self, order_id: str, alternatives: Sequence[CandidateScore]) -> None:
        super().__init__("the pickup store takes no new orders (closed or frozen); nothing was reserved")
        self.order_id, self.alternatives = order_id, list(alternatives)


class HoldRefused(ServiceError):
    """The store cannot hold every line of a checkout basket; nothing was held."""

    def __init__(self, missing: Sequence[MissingLine]) -> None:
        super().__init__("the store cannot hold every line; nothing was held")
        self.missing = list(missing)


class SlotFull(ServiceError):
    """Every place of the slot is taken; the order keeps the slot it had (if any)."""

    def __init__(self, starts_at: datetime) -> None:
        super().__init__("this pickup slot is full; choose another one")
        self.starts_at = starts_at


class ChannelOrderConflict(ServiceError):
    def __init__(self, order_id: str) -> None:
        super().__init__("this channel order id was already used for a different order")
        self.order_id = order_id


class Unavailable(ServiceError):
    """A server the use case needs cannot be reached now (`dependency`: "database" or "temporal"); the
    caller may retry the same request later."""

    dependency = ""


class TemporalUnavailable(Unavailable):
    dependency = "temporal"

    def __init__(self, message: str = "the order could not be started; retry the request") -> None:
        super().__init__(message)


class DatabaseUnavailable(Unavailable):
    dependency = "database"

    def __init__(self, message: str = "the database cannot be reached; retry the request") -> None:
        super().__init__(message)


class OrderBusy(ServiceError):
    """The order's workflow did not answer in time (no worker?); the caller may retry."""

    def __init__(self, order_id: str, message: str) -> None:
        super().__init__(message)
        self.order_id = order_id


class StepRefused(ServiceError):
    """The order's workflow refused a step: `kind` is its OrderError type (None when the failure was not
    the workflow's own refusal), `details` what it named (e.g. the field, the current status)."""

    def __init__(self, kind: str | None, message: str, details: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.kind, self.message, self.details = kind, message, list(details)


class OrderEnded(ServiceError):
    """The order's workflow has ended: it takes no more steps."""

    def __init__(self, order_id: str, status: str) -> None:
        super().__init__(f"order is {status}")
        self.order_id, self.status = order_id, status


class OrdersInProgress(ServiceError):
    def __init__(self, orders: Sequence[str]) -> None:
        super().__init__("the customer has orders still running")
        self.orders = list(orders)


class CountSuperseded(ServiceError):
    """A store's count older than a count already applied: it moved nothing, on hand stays."""

    def __init__(self, later_count_at: datetime, on_hand: int) -> None:
        super().__init__(
            f"a later count (taken {later_count_at.isoformat()}) stands: this count moved nothing, "
            f"on hand stays {on_hand}"
        )
        self.later_count_at, self.on_hand = later_count_at, on_hand


class TrackingLinkExpired(ServiceError):
    """A customer's tracking link whose order ended longer ago than the grace period."""

    def __init__(self, status: str, ended_at: datetime, expired_at: datetime) -> None:
        super().__init__(
            f"this tracking link has expired: the order was {status} on {ended_at:%Y-%m-%d} and its link "
            f"stopped working on {expired_at:%Y-%m-%d}; the shop that took the order can help"
        )
        self.status, self.ended_at, self.expired_at = status, ended_at, expired_at


class NotConfigured(ServiceError):
    """A feature the deployment has not set up (e.g. tracking links without a secret)."""


class DeadLettered(ServiceError):
    """A channel payload that cannot become an order, kept for ops to replay: every reason, and the
    refusal behind them when it was not the payload's shape (an unknown store or SKU)."""

    def __init__(
        self, dead_letter_id: int, reasons: list[dict[str, Any]], cause: ServiceError | None = None
    ) -> None:
        super().__init__(str(cause) if cause else "; ".join(_reason_text(r) for r in reasons))
        self.dead_letter_id, self.reasons, self.cause = dead_letter_id, reasons, cause


def _reason_text(reason: dict[str, Any]) -> str:
    return f"{'.'.join(map(str, reason['loc']))}: {reason['msg']}"


class ReturnNotAccepted(ServiceError):
    """The return rules refuse it (domain/returns.py): `error` its stable type, `field` what to change."""

    def __init__(self, error: str, field: str, message: str) -> None:
        super().__init__(message)
        self.error, self.field = error, field
