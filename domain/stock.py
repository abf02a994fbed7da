"""Stock rules: what a store can promise, what a basket lacks, how feed events move stock.

Every movement of stock is a ledger entry with an idempotency key; current levels are the sum of
the ledger. These pure functions decide the entries; adapters/db/stock.py records them.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from domain.values import MissingLine, OrderLine, Sku, StoreId


class MovementKind(StrEnum):
    RESERVE = "reserve"
    RELEASE = "release"
    COMMIT = "commit"
    SALE = "sale"
    RETURN = "return"
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    CORRECTION = "correction"


class StockLevel(BaseModel):
    store_id: str
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int = 0

    @property
    def available(self) -> int:
        """Available to promise: on hand less reserved less safety stock, never below zero."""
        return available_to_promise(self.on_hand, self.reserved, self.safety_stock)

    @property
    def short_by(self) -> int:
        """How many reserved units the shelf cannot cover (a sale or count took them)."""
        return max(self.reserved - self.on_hand, 0)

    @property
    def needs_replenishment(self) -> bool:
        """Free stock has come down to the safety stock (stores without one are never alerted)."""
        return self.safety_stock > 0 and self.on_hand - self.reserved <= self.safety_stock


def available_to_promise(on_hand: int, reserved: int, safety_stock: int, expired_holds: int = 0) -> int:
    """ATP = on hand − reserved − safety stock, counting expired checkout holds as free; never below zero.

    The database's copy is `oms_available_to_promise` (migration 0008), held to this by a property test."""
    return max(on_hand - (reserved - expired_holds) - safety_stock, 0)


def shortages(lines: list[OrderLine], available: Mapping[str, int]) -> list[MissingLine]:
    """The lines a store cannot fill in full; an unknown SKU counts as zero available."""
    return [
        MissingLine(sku=line.sku, requested=line.quantity, available=available.get(line.sku, 0))
        for line in lines
        if available.get(line.sku, 0) < line.quantity
    ]


class Movement(BaseModel):
    """One ledger entry: what moved on one store's SKU, why, from where, and its idempotency key."""

    store_id: str
    sku: str
    kind: MovementKind
    on_hand_delta: int = 0
    reserved_delta: int = 0
    reason: str
    source: str
    key: str
    occurred_at: datetime
    holder_id: str | None = None


EventType = Literal["sale", "return", "receipt", "adjustment", "count"]


class InventoryEvent(BaseModel):
    """An event from a store's system (POS or ERP). `quantity` is a count for `count`, signed for
    `adjustment`, and positive otherwise."""

    event_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,119}$")]
    store_id: StoreId
    sku: Sku
    type: EventType
    quantity: int = Field(ge=-100_000, le=1_000_000)
    occurred_at: datetime = Field(description="when it happened (for a count: when the shelf was counted)")
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _quantity_fits_type(self) -> "InventoryEvent":
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at: a timezone is required")
        if self.type == "adjustment" and self.quantity == 0:
            raise ValueError("quantity: an adjustment must change stock")
        if self.type in ("sale", "return", "receipt") and self.quantity <= 0:
            raise ValueError(f"quantity: a {self.type} moves a positive quantity")
        if self.type == "count" and self.quantity < 0:
            raise ValueError("quantity: a count cannot be negative")
        return self


_ON_HAND_SIGN = {"sale": -1, "return": 1, "receipt": 1, "adjustment": 1}


def on_hand_change(event: InventoryEvent, on_hand: int, moved_since: int, later_count: bool) -> int:
    """How much on hand changes for a feed event.

    Relative events move on hand by their quantity (never below zero). A count is absolute *as of
    when it was taken*: on hand becomes the counted quantity plus whatever moved on the shelf after
    that moment (`moved_since`); a count older than a count already applied changes nothing.
    """
    if event.type != "count":
        return max(_ON_HAND_SIGN[event.type] * event.quantity, -on_hand)
    if later_count:
        return 0
    return max(event.quantity + moved_since, 0) - on_hand


MAX_ON_HAND = 1_000_000_000
"""The most units one store's row may hold: beyond any shelf, well inside the 32-bit columns."""


class EventRefused(ValueError):
    """A feed event that cannot be applied as sent; `str()` is the reason, naming the field."""


def check_on_hand(on_hand: int, delta: int) -> None:
    """Stock may not grow beyond what a row holds (a sale from an over-full row still applies)."""
    if delta > 0 and on_hand + delta > MAX_ON_HAND:
        raise EventRefused(
            f"quantity: on hand would become {on_hand + delta}, beyond the most a row holds ({MAX_ON_HAND})"
        )


class FeedWindow(BaseModel):
    """How far from the OMS's clock a feed event may be dated: a store's clock may run a little ahead
    (`ahead`), a store offline sends late (`behind`). A count dated beyond it would freeze the row, as
    every later count would be older than it."""

    ahead: timedelta = timedelta(minutes=15)
    behind: timedelta = timedelta(days=30)

    def check(self, occurred_at: datetime, now: datetime) -> None:
        if occurred_at > now + self.ahead:
            raise EventRefused(f"occurred_at: more than {_span(self.ahead)} ahead of the OMS's clock")
        if occurred_at < now - self.behind:
            raise EventRefused(f"occurred_at: more than {_span(self.behind)} in the past")


def _span(span: timedelta) -> str:
    """'15 minutes', '30 days', '2 hours': a window as a person says it."""
    seconds = int(span.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds % size == 0 and seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def holders_at_risk(short_by: int, reservations_newest_first: Iterable[tuple[str, int]]) -> list[str]:
    """The reservations a shortfall hits: the newest first, until the missing units are covered."""
    hit: list[str] = []
    remaining = short_by
    for holder, quantity in reservations_newest_first:
        if remaining <= 0:
            break
        hit.append(holder)
        remaining -= quantity
    return hit
