"""What every channel adapter shares: its protocol, what it may consult, and how it refuses a payload."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from domain.channel_rules import ChannelRules
from domain.values import OrderPlacement, StoreProfile

ProductKey = tuple[str, str]  # ("sku" | "variant" | "barcode", the channel's value)


@dataclass(frozen=True)
class FieldError:
    loc: list[str | int]
    msg: str


class PayloadRejected(Exception):
    """The payload cannot become an order; every bad field is named."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors))
        self.errors = errors


class SignatureRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ChannelContext:
    """What an adapter may consult: the stores (to map pickup locations), its settings, the rules of
    the payload's account, and the SKU of each product the payload names that the catalogue knows."""

    stores: list[StoreProfile]
    secret: str | None = None
    locations: Mapping[str, str] | None = None  # channel location id or name -> store id
    rules: ChannelRules = field(default_factory=ChannelRules)
    products: Mapping[ProductKey, str] = field(default_factory=dict)


class ChannelAdapter(Protocol):
    name: str

    def signature_present(self, headers: Mapping[str, str], context: ChannelContext) -> None:
        """Raise SignatureRejected when the request carries no signature (401) or no secret is configured
        (403): checked before the body is read."""

    def verify(self, headers: Mapping[str, str], body: bytes, context: ChannelContext) -> None:
        """Raise SignatureRejected unless the request comes from the channel."""

    def account(self, payload: Any) -> str:
        """Which of the channel's accounts (shops) sent it, read from the payload ('' when unknown)."""

    def product_refs(self, payload: Any) -> list[ProductKey]:
        """Every product reference the payload's lines carry, for the catalogue to resolve."""

    def value_of(self, payload: Any) -> tuple[Decimal, str] | None:
        """The order's value and currency as the channel states it, to rank what a refusal costs."""

    def to_placement(self, payload: Any, context: ChannelContext) -> OrderPlacement:
        """Map the payload, or raise PayloadRejected naming every bad field."""
