"""Keeping the channel in step: what an order's channel (Shopify) is told at each of its events, given what
the channel already knows. Pure: the adapter reads the order's fulfillment orders from the channel before
each change, these rules say which change (if any) is still to send, so a retry never sends one twice."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field

from domain.commands import CUSTOMER
from domain.contract import Contract
from domain.order_state import OrderState
from domain.status import OrderStatus
from domain.values import ChannelReference


class ChannelEvent(StrEnum):
    READY = "ready"
    COLLECTED = "collected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class ChannelReport(Contract):
    """One event of an order, for its channel."""

    order_id: str
    event: ChannelEvent
    reference: ChannelReference
    collected: dict[str, int] = Field(default_factory=dict, description="collected: units per SKU taken")
    note: str | None = Field(default=None, description="cancelled or expired: why, for the shop's staff")
    by_customer: bool = False
    whole_order: bool = Field(
        default=True, description="False for one part of a split order: it cannot cancel the channel's order"
    )


def report_of(state: OrderState, event: ChannelEvent) -> ChannelReport | None:
    """The report of `event` for an order a channel adapter took (None for the others: nothing to tell);
    a collection reports the units handed over, a cancellation its reason and who asked."""
    reference = state.placement.channel_reference
    if reference is None:
        return None
    last = state.timeline[-1] if state.timeline else None
    note = None
    if event is ChannelEvent.EXPIRED:
        note = "not collected within the hold period"
    elif event is ChannelEvent.CANCELLED and last and last.status is OrderStatus.CANCELLED:
        note = last.reason
    skus = {line.sku for line in state.current_lines}  # a split part reports its own lines only
    mine = {sku: line_items for sku, line_items in reference.lines.items() if sku in skus}
    return ChannelReport(
        order_id=state.order_id,
        event=event,
        reference=reference.model_copy(update={"lines": mine}),
        collected={line.sku: line.quantity for line in state.collected}
        if event is ChannelEvent.COLLECTED
        else {},
        note=note,
        by_customer=bool(last and last.actor == CUSTOMER and event is ChannelEvent.CANCELLED),
        whole_order=state.split_from is None and not state.splits,
    )


# ---- what the channel knows (read before each change) ---------------------------------------------------

OPEN = "OPEN"  # Shopify's FulfillmentOrderStatus values the rules look at
IN_PROGRESS = "IN_PROGRESS"  # prepared for pickup, or partly fulfilled
FULFILLABLE = (OPEN, IN_PROGRESS)


@dataclass(frozen=True)
class FulfillmentLine:
    id: str
    line_item: str  # the order's line item this fulfillment order line carries
    remaining: int


@dataclass(frozen=True)
class FulfillmentOrder:
    id: str
    status: str
    lines: tuple[FulfillmentLine, ...]


@dataclass(frozen=True)
class ChannelOrder:
    """The channel's order as read: cancelled or not, its fulfillment orders, and per line item the units
    its successful fulfillments already carry."""

    cancelled: bool
    fulfillment_orders: tuple[FulfillmentOrder, ...]
    fulfilled: Mapping[str, int]


# ---- what to send -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrepareForPickup:
    fulfillment_orders: tuple[str, ...]


@dataclass(frozen=True)
class Fulfil:
    fulfillment_order: str
    lines: tuple[tuple[str, int], ...]  # (fulfillment order line id, units)


class CancelReason(StrEnum):
    """Shopify's OrderCancelReason values the OMS uses."""

    CUSTOMER = "CUSTOMER"
    STAFF = "STAFF"
    OTHER = "OTHER"


@dataclass(frozen=True)
class CancelOrder:
    reason: CancelReason
    staff_note: str


ChannelAction = PrepareForPickup | Fulfil | CancelOrder


def next_action(report: ChannelReport, order: ChannelOrder) -> ChannelAction | None:
    """The change still to send for `report`, given the channel's order as it is now; None when the channel
    already shows it (or it cannot apply: an order cancelled there, or fulfilled in part)."""
    if order.cancelled:
        return None
    if report.event is ChannelEvent.READY:
        return _prepare(report, order)
    if report.event is ChannelEvent.COLLECTED:
        return _fulfil(report, order)
    return _cancel(report, order)


def _ours(report: ChannelReport) -> set[str]:
    return {line_item for line_items in report.reference.lines.values() for line_item in line_items}


def _prepare(report: ChannelReport, order: ChannelOrder) -> PrepareForPickup | None:
    """Every open fulfillment order carrying our lines is marked prepared; one in progress already was."""
    ours = _ours(report)
    open_ones = tuple(
        fo.id
        for fo in order.fulfillment_orders
        if fo.status == OPEN and any(line.line_item in ours and line.remaining > 0 for line in fo.lines)
    )
    return PrepareForPickup(open_ones) if open_ones else None


def units_to_fulfil(report: ChannelReport, order: ChannelOrder) -> dict[str, int]:
    """Per line item, the collected units the channel's fulfillments do not carry yet (a SKU on two line
    items fills the first one first)."""
    remaining = _remaining(order)
    todo: dict[str, int] = {}
    for sku, units in report.collected.items():
        line_items = report.reference.lines.get(sku, [])
        missing = units - sum(order.fulfilled.get(line_item, 0) for line_item in line_items)
        for line_item in line_items:
            take = min(max(missing, 0), remaining.get(line_item, 0))
            if take:
                todo[line_item] = take
                missing -= take
    return todo


def _remaining(order: ChannelOrder) -> dict[str, int]:
    remaining: dict[str, int] = {}
    for fo in order.fulfillment_orders:
        if fo.status in FULFILLABLE:
            for line in fo.lines:
                remaining[line.line_item] = remaining.get(line.line_item, 0) + line.remaining
    return remaining


def _fulfil(report: ChannelReport, order: ChannelOrder) -> Fulfil | None:
    """The collected units not fulfilled yet, from the first fulfillment order that carries some."""
    todo = units_to_fulfil(report, order)
    for fo in order.fulfillment_orders:
        if fo.status not in FULFILLABLE:
            continue
        lines = []
        for line in fo.lines:
            take = min(todo.get(line.line_item, 0), line.remaining)
            if take > 0:
                lines.append((line.id, take))
                todo[line.line_item] -= take
        if lines:
            return Fulfil(fo.id, tuple(lines))
    return None


def _cancel(report: ChannelReport, order: ChannelOrder) -> CancelOrder | None:
    """The channel's order is cancelled (restocked and refunded there) when this order was all of it and
    nothing of it was fulfilled; a part of a split order leaves the channel's order to the other parts."""
    if not report.whole_order or any(units > 0 for units in order.fulfilled.values()):
        return None
    if report.event is ChannelEvent.EXPIRED:
        reason = CancelReason.OTHER
    else:
        reason = CancelReason.CUSTOMER if report.by_customer else CancelReason.STAFF
    what = "expired" if report.event is ChannelEvent.EXPIRED else "cancelled"
    note = f"OMS order {report.order_id} {what}" + (f": {report.note}" if report.note else "")
    return CancelOrder(reason, note[:255])


def describe(action: ChannelAction) -> str:
    """What was sent, as the activity's result and the Temporal UI say it."""
    if isinstance(action, PrepareForPickup):
        return f"prepared for pickup: {', '.join(action.fulfillment_orders)}"
    if isinstance(action, Fulfil):
        units = sum(quantity for _, quantity in action.lines)
        return f"fulfilled {units} unit(s) of {action.fulfillment_order}"
    return f"order cancelled ({action.reason.value})"
