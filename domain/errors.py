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
