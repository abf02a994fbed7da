"""Returns in store: what may come back, until when, and what it refunds. Pure, safe in workflows."""

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from domain.contract import Contract
from domain.order_state import OrderFacts
from domain.status import OrderStatus
from domain.values import Sku, StoreId

RETURNABLE = (OrderStatus.COLLECTED, OrderStatus.SHIPPED)  # collected at the store, or delivered home


class ReturnReason(StrEnum):
    """The list an associate picks from."""

    DEFECTIVE = "defective"
    WRONG_SIZE = "wrong_size"
    NOT_AS_DESCRIBED = "not_as_described"
    WRONG_ITEM = "wrong_item"
    CHANGED_MIND = "changed_mind"
    OTHER = "other"


class ItemCondition(StrEnum):
    RESELLABLE = "resellable"  # back on the shelf of the store it was brought to
    DAMAGED = "damaged"  # written off with the reason


class ReturnStatus(StrEnum):
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUNDED = "refunded"
    CLOSED = "closed"


class ReturnError(StrEnum):
    """Stable refusal types (Temporal `ApplicationError.type`, mapped to HTTP once in the API)."""

    WINDOW_CLOSED = "ReturnWindowClosed"
    MORE_THAN_BOUGHT = "MoreThanBought"
    NEVER_COLLECTED = "OrderNotCollected"
    ALREADY_RETURNED = "LineAlreadyReturned"


class ReturnRefused(Exception):
    """A return the rules refuse; `field` names what the associate must change."""

    def __init__(self, error: ReturnError, field: str, message: str) -> None:
        super().__init__(message)
        self.error, self.field = error, field


class ReturnPolicy(Contract):
    """How long after collection or delivery an order may come back, per channel when it differs."""

    window: timedelta = Field(default=timedelta(days=30), gt=timedelta(0))
    per_channel: dict[str, timedelta] = {}

    def window_for(self, channel: str) -> timedelta:
        return self.per_channel.get(channel, self.window)


class ReturnLine(Contract):
    """Units of one SKU coming back: one condition per unit, one reason for the line."""

    sku: Sku
    reason: ReturnReason
    conditions: list[ItemCondition] = Field(min_length=1, max_length=999)

    @property
    def quantity(self) -> int:
        return len(self.conditions)

    def units(self, condition: ItemCondition) -> int:
        return self.conditions.count(condition)


class ReturnRequest(Contract):
    """What the associate at `store_id` records at the counter."""

    order_id: str
    store_id: StoreId
    lines: list[ReturnLine] = Field(min_length=1, max_length=100)
    actor: str

    @model_validator(mode="after")
    def _one_line_per_sku(self) -> "ReturnRequest":
        skus = [line.sku for line in self.lines]
        if len(skus) != len(set(skus)):
            raise ValueError("each SKU once: give one condition per unit instead")
        return self


def handed_over_at(order: OrderFacts) -> datetime:
    """When the customer got the order (collected or shipped): the return window counts from there."""
    if order.status not in RETURNABLE:
        raise ReturnRefused(
            ReturnError.NEVER_COLLECTED, "order", f"order is {order.status.value}: it was never collected"
        )
    return max(entry.at for entry in order.timeline if entry.status is order.status)


def handed_over(order: OrderFacts) -> Counter[str]:
    """Units the customer took home, per SKU."""
    if order.status is OrderStatus.COLLECTED:
        return Counter({line.sku: line.quantity for line in order.collected})
    return Counter({line.sku: line.quantity for line in order.lines or order.placement.lines})


def taken_home(status: OrderStatus, collected: Mapping[str, int], held: Mapping[str, int]) -> Counter[str]:
    """Units per SKU the customer took home, as handed_over says, from an order's status, its collected
    lines and the lines it held: none unless it was collected or shipped."""
    if status not in RETURNABLE:
        return Counter()
    return Counter(collected if status is OrderStatus.COLLECTED else held)


def check_return(
    order: OrderFacts,
    request: ReturnRequest,
    returned: Counter[str],
    now: datetime,
    policy: ReturnPolicy,
) -> None:
    """Refuse a return of an order never collected, outside the window, of more than was taken home,
    or of a line already returned in full. `returned`: units of earlier returns of this order."""
    closes = handed_over_at(order) + policy.window_for(order.placement.channel)
    if now > closes:
        raise ReturnRefused(
            ReturnError.WINDOW_CLOSED, "order", f"the return window closed on {closes.date().isoformat()}"
        )
    taken = handed_over(order)
    for index, line in enumerate(request.lines):
        left = taken[line.sku] - returned[line.sku]
        if taken[line.sku] > 0 and left <= 0:
            field, message = f"lines[{index}].sku", f"{line.sku} was already returned"
            raise ReturnRefused(ReturnError.ALREADY_RETURNED, field, message)
        if line.quantity > left:
            field = f"lines[{index}].conditions"
            message = f"{line.quantity} × {line.sku} coming back, {max(left, 0)} may"
            raise ReturnRefused(ReturnError.MORE_THAN_BOUGHT, field, message)


def unit_prices(order: OrderFacts) -> dict[str, Decimal]:
    return {line.sku: line.unit_price for line in order.placement.lines}


def refund_for(
    order: OrderFacts,
    request: ReturnRequest,
    returned: Counter[str],
    captured: Decimal,
    refunded: Decimal,
) -> Decimal:
    """The return's share of what was captured: the returned units' value over the value taken home,
    rounded half-even to the cent; the last return gets what is left; never more than captured − refunded."""
    left = max(captured - refunded, Decimal("0"))
    prices, taken = unit_prices(order), handed_over(order)
    total = sum((prices[sku] * quantity for sku, quantity in taken.items()), Decimal("0"))
    back = Counter({line.sku: line.quantity for line in request.lines})
    if total == 0:
        return Decimal("0.00")
    if returned + back == taken:
        return left.quantize(Decimal("0.01"))
    value = sum((prices[sku] * quantity for sku, quantity in back.items()), Decimal("0"))
    share = (captured * value / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return min(share, left)


def stock_moves(request: ReturnRequest) -> tuple[dict[str, int], dict[str, int]]:
    """Units back on the shelf and units written off, per SKU."""
    resellable = {line.sku: line.units(ItemCondition.RESELLABLE) for line in request.lines}
    damaged = {line.sku: line.units(ItemCondition.DAMAGED) for line in request.lines}
    return {s: q for s, q in resellable.items() if q}, {s: q for s, q in damaged.items() if q}


def reasons_of(request: ReturnRequest) -> dict[str, str]:
    return {line.sku: line.reason.value for line in request.lines}
