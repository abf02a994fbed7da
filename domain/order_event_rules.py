"""Which events a step raises: read from the order before and after it (the timeline's new entries, the
refund, the splits, the customer's check-in and slot). Pure, so recording them is part of the step's
own transaction and a repeated step raises nothing new."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from domain.contract import Contract
from domain.order_events import (
    EventCheckIn,
    EventDetails,
    EventLine,
    EventSlot,
    OrderEvent,
    OrderEventType,
    OrderSnapshot,
    ReturnSnapshot,
)
from domain.order_state import OrderView
from domain.slots import PickupSlot
from domain.status import OrderStatus
from domain.values import CheckIn, OrderLine, TimelineEntry

_NAMESPACE = uuid.UUID("6f1c2b0e-4d55-4f7b-9a57-0e7c1f3b9a10")

# The event a transition into each status raises (RECEIVED raises none: the channel placed the order).
_ON_ENTERING: dict[OrderStatus, OrderEventType] = {
    OrderStatus.RESERVED: OrderEventType.RESERVED,
    OrderStatus.REJECTED: OrderEventType.REJECTED,
    OrderStatus.ACCEPTED: OrderEventType.ACCEPTED,
    OrderStatus.PICKED: OrderEventType.PICKED,
    OrderStatus.READY: OrderEventType.READY_FOR_PICKUP,
    OrderStatus.COLLECTED: OrderEventType.COLLECTED,
    OrderStatus.CANCELLED: OrderEventType.CANCELLED,
    OrderStatus.EXPIRED: OrderEventType.EXPIRED,
    OrderStatus.AWAITING_CUSTOMER: OrderEventType.AWAITING_CUSTOMER,
    OrderStatus.IN_DELIVERY: OrderEventType.SWITCHED_TO_DELIVERY,
    OrderStatus.SHIPPED: OrderEventType.SHIPPED,
    OrderStatus.PARKED: OrderEventType.PARKED,
}
SYSTEM = "system"


class Recorded(Contract):
    """What a step's events are told from, of the order as last recorded: read without the rest of
    its view (routing decisions, store profile), which the comparison does not need."""

    version: int
    store_id: str
    timeline: list[TimelineEntry]
    refunded: Decimal = Decimal(0)
    splits: list[str] = []
    previous_stores: list[str] = []
    check_in: CheckIn | None = None
    pickup_slot: PickupSlot | None = None

    @classmethod
    def of(cls, view: OrderView) -> "Recorded":
        fields = view.model_dump(include=set(cls.model_fields) - {"store_id"})
        return cls.model_validate(fields | {"store_id": view.store_id})


@dataclass(frozen=True)
class EventDraft:
    """An event before it is numbered: `key` names what raised it, once per order."""

    key: str
    type: OrderEventType
    occurred_at: datetime
    actor: str
    reason: str | None = None
    details: EventDetails = field(default_factory=EventDetails)


def events_between(before: Recorded | OrderView | None, after: OrderView) -> list[EventDraft]:
    """What the step from `before` (None: not recorded yet) to `after` raised, oldest first; nothing when
    `after` is not newer (a repeat, or an older record arriving late)."""
    if isinstance(before, OrderView):
        before = Recorded.of(before)
    if before is not None and after.version <= before.version:
        return []
    drafts = _transitions(before, after) + _changes(before, after)
    return sorted(drafts, key=lambda draft: draft.occurred_at)  # stable: a transition before its effects


def _transitions(before: Recorded | None, after: OrderView) -> list[EventDraft]:
    drafts = []
    # A re-route puts the order back to RESERVED at its new store, also from RESERVED: an entry that
    # keeps the status is a re-route while the step added stores the order left, else a note.
    moves = len(after.previous_stores) - len(before.previous_stores if before else [])
    for index in range(_common_start(before, after), len(after.timeline)):
        entry = after.timeline[index]
        previous = after.timeline[index - 1].status if index else None
        moved = _is_move(entry.status, previous)
        if entry.status not in _ON_ENTERING or (entry.status is previous and not (moved and moves > 0)):
            continue  # a note (check-in, slot, collector): raised from the field it changed
        moves -= moved
        key = f"t{index}:{entry.status.value}:{entry.at.isoformat()}"
        drafts.append(_transition(key, entry, previous, before, after))
    return drafts


def _is_move(status: OrderStatus, previous: OrderStatus | None) -> bool:
    """Back to RESERVED after intake: the order moved to another store."""
    return status is OrderStatus.RESERVED and previous not in (None, OrderStatus.RECEIVED)


def _common_start(before: Recorded | None, after: OrderView) -> int:
    """Where `after`'s timeline goes beyond `before`'s: usually its end; earlier when a step recorded
    ahead (a foreseen reservation) was overtaken and the order went another way."""
    if before is None:
        return 0
    common = 0
    for old, new in zip(before.timeline, after.timeline, strict=False):
        if old != new:
            break
        common += 1
    return common


def _transition(
    key: str, entry: TimelineEntry, previous: OrderStatus | None, before: Recorded | None, after: OrderView
) -> EventDraft:
    if _is_move(entry.status, previous):
        came_from = after.previous_stores[-1] if after.previous_stores else None
        if before is not None and before.store_id != after.store_id:
            came_from = before.store_id
        details = EventDetails(from_store=came_from, to_store=after.store_id)
        return EventDraft(key, OrderEventType.REROUTED, entry.at, entry.actor, entry.reason, details)
    return EventDraft(key, _ON_ENTERING[entry.status], entry.at, entry.actor, entry.reason)


def _changes(before: Recorded | None, after: OrderView) -> list[EventDraft]:
    """Events raised by what a step changed beside the status."""
    at, drafts = after.timeline[-1].at, []
    refunded = after.refunded - (before.refunded if before else Decimal(0))
    if refunded > 0:
        details = EventDetails(refund_amount=refunded)
        drafts.append(
            EventDraft(f"refund:{after.refunded}", OrderEventType.REFUNDED, at, SYSTEM, None, details)
        )
    new_splits = [order for order in after.splits if order not in (before.splits if before else [])]
    if new_splits:
        details = EventDetails(split_orders=new_splits)
        drafts.append(
            EventDraft(f"split:{','.join(new_splits)}", OrderEventType.SPLIT, at, SYSTEM, None, details)
        )
    check_in, earlier = after.check_in, before.check_in if before else None
    if check_in is not None and (earlier is None or earlier.at != check_in.at):
        actor = _note_actor(after, check_in.at)
        drafts.append(
            EventDraft(f"check-in:{check_in.at.isoformat()}", OrderEventType.CHECKED_IN, check_in.at, actor)
        )
    slot = after.pickup_slot
    if slot is not None and (before is None or before.pickup_slot != slot):
        drafts.append(EventDraft(f"slot:{after.version}", OrderEventType.SLOT_BOOKED, at, "customer"))
    return drafts


def _note_actor(view: OrderView, at: datetime) -> str:
    """Who wrote the timeline note made at `at` (the customer, or an associate for them)."""
    return next((entry.actor for entry in reversed(view.timeline) if entry.at == at), "customer")


def return_draft(return_id: str, status: str, at: datetime, actor: str, reason: str) -> EventDraft:
    """A return's step: received at a counter, inspected, refunded, closed."""
    return EventDraft(f"return:{return_id}:{status}", OrderEventType(f"return.{status}"), at, actor, reason)


def event_id(order_id: str, key: str) -> str:
    """The same event gets the same id, however often its step is repeated."""
    return str(uuid.uuid5(_NAMESPACE, f"{order_id}/{key}"))


def order_event(draft: EventDraft, view: OrderView, sequence: int) -> OrderEvent:
    placement = view.placement
    return OrderEvent(
        id=event_id(view.order_id, draft.key),
        type=draft.type,
        order_id=view.order_id,
        channel=placement.channel,
        channel_order_id=placement.channel_order_id,
        sequence=sequence,
        occurred_at=draft.occurred_at,
        actor=draft.actor,
        reason=draft.reason,
        order=snapshot(view),
        details=draft.details,
    )


def with_return(draft: EventDraft, snapshot: ReturnSnapshot, refund: Decimal | None) -> EventDraft:
    details = EventDetails(return_=snapshot, refund_amount=refund)
    return EventDraft(draft.key, draft.type, draft.occurred_at, draft.actor, draft.reason, details)


def _lines(lines: list[OrderLine]) -> list[EventLine]:
    return [EventLine(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price) for line in lines]


def snapshot(view: OrderView) -> OrderSnapshot:
    """The order as a channel sees it after the step: no customer data, no pickup code."""
    prices = {line.sku: line.unit_price for line in view.placement.lines}
    check_in = view.check_in
    return OrderSnapshot(
        status=view.status,
        store_id=view.store_id,
        lines=_lines(view.current_lines),
        currency=view.placement.currency,
        total=view.placement.total,
        refunded=view.refunded,
        ready_by=view.ready_by,
        ready_at=view.ready_at,
        pickup_deadline=view.pickup_deadline,
        staging_location=view.staging_location,
        pickup_slot=EventSlot(starts_at=view.pickup_slot.starts_at, ends_at=view.pickup_slot.ends_at)
        if view.pickup_slot
        else None,
        check_in=EventCheckIn(
            stage=check_in.stage.value, place=check_in.place.value, bay=check_in.bay, at=check_in.at
        )
        if check_in
        else None,
        collected=[
            EventLine(sku=line.sku, quantity=line.quantity, unit_price=prices.get(line.sku, Decimal(0)))
            for line in view.collected
        ],
        previous_stores=view.previous_stores,
        split_from=view.split_from.order_id if view.split_from else None,
        splits=view.splits,
        tracking_number=view.shipment.tracking_number if view.shipment else None,
    )
