"""Personal data seen where it should not stay: masked in log lines, redacted from what erasure reaches
outside the read model (a dead letter's payload and reasons)."""

import re
from typing import Any

ERASED = "[erased]"

# Keys under which a payload (ours or a channel's) carries who the customer is or where they live.
PERSONAL_KEYS = frozenset(
    {
        "customer", "name", "first_name", "last_name", "email", "contact_email", "phone",
        "billing_address", "shipping_address", "delivery_address", "address", "line1", "line2",
        "address1", "address2", "postcode", "zip", "city", "company", "latitude", "longitude",
        "browser_ip", "client_details", "note",
    }
)  # fmt: skip

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_PHONE = re.compile(r"\+\d[\d ().-]{5,18}(\d\d)")
_CODE = re.compile(r"(?<![\w-])\d{6}(?![\w-])")  # a pickup code: six digits standing alone
_TRACKING = re.compile(r"(/(?:v1/)?track)/[^\s?#\"']+")


def redact(value: Any) -> Any:
    """A payload with every personal field erased, whatever its depth; what failed (SKUs, quantities,
    stores, messages) stays readable."""
    if isinstance(value, dict):
        return {key: ERASED if key in PERSONAL_KEYS else redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    return value


def redact_reasons(reasons: list[Any]) -> list[Any]:
    """Validation reasons without the input each quotes (a refused phone or name is the customer's)."""
    return [
        {key: ERASED if key == "input" else redact(item) for key, item in reason.items()}
        if isinstance(reason, dict)
        else reason
        for reason in reasons
    ]


def mask_tracking(text: str) -> str:
    """A path or log line with customers' tracking links cut after `/track`: the rest is a bearer secret."""
    return _TRACKING.sub(r"\1/***", text)


def mask_text(text: str) -> str:
    """A log line without emails, phone numbers, pickup codes or tracking tokens."""
    text = mask_tracking(text)
    text = _EMAIL.sub(r"\1***@\2", text)
    text = _PHONE.sub(r"+***\1", text)
    return _CODE.sub("******", text)
