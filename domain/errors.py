"""Why an order refuses a step: the error types the workflow raises and the API maps to HTTP answers."""

from enum import StrEnum


class OrderError(StrEnum):
    """Stable error types (Temporal `ApplicationError.type`); their values are recorded in histories."""

    TRANSITION = "TransitionNotAllowed"
    INVALID_PICK = "InvalidPick"
    WRONG_PICKUP_CODE = "WrongPickupCode"
    CHANNEL_ORDER_CONFLICT = "ChannelOrderConflict"
    NOTHING_TO_RESEND = "NothingToResend"
    PICKUP_LOCKED = "PickupLocked"
    NOT_LOCKED = "PickupNotLocked"
    EXCEPTION_PENDING = "ExceptionPending"
    INVALID_CHOICE = "InvalidChoice"


class OrderRefused(Exception):
    """A step the order refuses: `error` is its stable type, `details` what the caller is shown (the
    offending field, or the order's status)."""

    error: OrderError

    def __init__(self, message: str, *details: str) -> None:
        super().__init__(message)
        self.details = details


class StepNotAllowed(OrderRefused):
    """The step does not fit the order's current status (the first detail)."""

    error = OrderError.TRANSITION


class InvalidPick(OrderRefused):
    error = OrderError.INVALID_PICK


class WrongPickupCode(OrderRefused):
    """`locked` when this wrong code locked collection: support must be told."""

    error = OrderError.WRONG_PICKUP_CODE

    def __init__(self, *, locked: bool) -> None:
        super().__init__("wrong pickup code")
        self.locked = locked


class PickupLocked(OrderRefused):
    error = OrderError.PICKUP_LOCKED


class PickupNotLocked(OrderRefused):
    error = OrderError.NOT_LOCKED


class ChannelOrderConflict(OrderRefused):
    error = OrderError.CHANNEL_ORDER_CONFLICT


class NothingToResend(OrderRefused):
    error = OrderError.NOTHING_TO_RESEND


class ExceptionPending(OrderRefused):
    error = OrderError.EXCEPTION_PENDING


class InvalidChoice(OrderRefused):
    error = OrderError.INVALID_CHOICE
