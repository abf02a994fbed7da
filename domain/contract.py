"""The base of every value crossing a boundary (HTTP body, Temporal payload, stored row), and the text
rules it enforces at the door."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


_CONTROL_NAMES = {"\x00": "a NUL character", "\n": "a line break", "\r": "a line break", "\t": "a tab"}


def plain_line(value: str) -> str:
    """One line that a message or a log can quote as it is: no control character (line break, tab,
    escape) and no bidi control (a right-to-left mark or override disguises what is shown)."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS:
            name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "a control character").lower()
            raise ValueError(f"contains {name} (U+{ord(char):04X}): send one line of plain text")
    return value


PlainLine = Annotated[str, AfterValidator(plain_line)]


def storable_text(value: str) -> str:
    """Text PostgreSQL can store: no NUL character, no lone surrogate (invalid Unicode)."""
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains invalid Unicode") from None
    return value


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: object) -> object:
        # Checked at the door: an order that cannot be stored would retry its activities forever. It runs
        # on every field of every contract, in the workflow too, where Temporal's sandbox turns each
        # `isinstance` into a chain of Python calls (it unwraps its proxies): the type's own MRO instead.
        return storable_text(value) if str in type(value).__mro__ else value  # type: ignore[arg-type]
