"""The customer's pickup page: their order as they should see it (progress, items, the store and its
hours, the pickup code once ready, what they may do now) behind the tracking link, and their actions.
Shows no email or phone; the link's token is checked by services/tracking.py."""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection
from temporalio.service import RPCError

from domain import ids
from domain.commands import CUSTOMER, Cancellation, CollectorNaming, CustomerCheckIn, CustomerChoice
from domain.decisions import ChoiceRequest
from domain.order.arrival import customer_may_cancel, may_check_in, may_name_collector
from domain.order_state import OrderView
from domain.slots import PickupSlot, Slot, may_choose_slot
from domain.status import IN_PREPARATION, OrderStatus
from domain.store_calendar import hours_on, special_day, upcoming
from domain.store_work import PickLine
from domain.values import Address, CheckIn, StoreProfile
from services import console, orders, slots, tracking
from services.errors import InvalidField, NotFound, OrderBusy, OrderEnded
from services.orders import OrderDesk
from services.stores import get_store

# Slots offered on the page: from today for a week, starting at least this long from now.
SLOT_DAYS, SLOT_NOTICE = 7, timedelta(minutes=15)
# Changed hours shown ahead of the week's: special days from today for two weeks.
CHANGED_DAYS_AHEAD = 14

# The customer's four steps; statuses between them show where the order is.
STEPS = ("received", "preparing", "ready", "collected")
_STEP_OF = {
    OrderStatus.RECEIVED: 0,
    OrderStatus.RESERVED: 1,
    OrderStatus.ACCEPTED: 1,
    OrderStatus.PICKED: 1,
    OrderStatus.AWAITING_CUSTOMER: 1,
    OrderStatus.READY: 2,
    OrderStatus.COLLECTED: 3,
}


def page_url(secret: str | None, public_url: str, order_id: str) -> str | None:
    """The pickup page messages link to; None without a tracking secret (no link can be checked)."""
    if not secret:
        return None
    return f"{public_url.rstrip('/')}/track/{order_id}/{tracking.tracking_token(secret, order_id)}"


def progress_step(status: OrderStatus) -> int | None:
    """Which of the four steps the order is at; None once it left them (cancelled, expired, delivery)."""
    return _STEP_OF.get(status)


def map_link(store: StoreProfile) -> str:
    """A plain link to the store on OpenStreetMap: no third-party script on the page."""
    lat, lon = f"{store.latitude:.5f}", f"{store.longitude:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


class Span(NamedTuple):
    opens: time
    closes: time


@dataclass(frozen=True)
class DayHours:
    weekday: int  # 0 = Monday
    hours: list[Span]
    today: bool
    note: str | None = None  # today is a special day: its hours replace the weekly ones


@dataclass(frozen=True)
class ChangedDay:
    """A special day ahead: its hours (none: closed) and why, as the store wrote it."""

    day: date
    hours: list[Span]
    note: str | None


def week_hours(store: StoreProfile, now: datetime) -> list[DayHours]:
    """Monday to Sunday with each day's hours (none: closed), today's in the store's timezone marked and
    as its calendar has them (a special day's hours, with its note)."""
    today = now.astimezone(ZoneInfo(store.timezone)).date()
    special = special_day(store, today)
    return [
        DayHours(
            weekday=day,
            hours=[Span(*h) for h in hours_on(store, today)]
            if day == today.weekday()
            else sorted(Span(h.opens, h.closes) for h in store.opening_hours if h.weekday == day),
            today=day == today.weekday(),
            note=(special.note or "") if special and day == today.weekday() else None,
        )
        for day in range(7)
    ]


def changed_days(store: StoreProfile, now: datetime) -> list[ChangedDay]:
    """The store's special days from today on (closures, changed hours), soonest first."""
    today = now.astimezone(ZoneInfo(store.timezone)).date()
    return [
        ChangedDay(day=s.date, hours=[Span(h.opens, h.closes) for h in s.hours], note=s.note)
        for s in upcoming(store, today, CHANGED_DAYS_AHEAD)
    ]


@dataclass(frozen=True)
class OfferedStore:
    store_id: str
    name: str
    address: str
    distance_km: float
    ready_by: datetime | None


@dataclass(frozen=True)
class PickupPage:
    order_id: str
    reference: str
    status: OrderStatus
    step: int | None
    store: StoreProfile | None
    hours: list[DayHours]
    changed: list[ChangedDay]
    map_url: str | None
    lines: list[PickLine]
    ready_by: datetime | None
    pickup_deadline: datetime | None
    pickup_code: str | None
    collector: str | None
    check_in: CheckIn | None
    language: str
    choice: ChoiceRequest | None = None
    offered: list[OfferedStore] = field(default_factory=list)
    delivery_address: Address | None = None
    may_cancel: bool = False
    may_check_in: bool = False
    may_name_collector: bool = False
    slot: Slot | None = None
    slot_choices: list[tuple[date, list[Slot]]] = field(default_factory=list)
    deadline_at_closing: bool = False  # the hold ends when the store closes that day

    @property
    def preparing(self) -> bool:
        return self.status in IN_PREPARATION


async def verified_order(
    desk: OrderDesk, secret: str | None, order_id: str, token: str, grace: timedelta
) -> OrderView:
    """The order the link opens: the token checked (and its expiry after `grace`) by the tracking use case."""
    await tracking.track(desk, secret, order_id, token, grace)
    return await orders.find_order(desk, order_id)


async def pickup_code(desk: OrderDesk, order: OrderView) -> str | None:
    """The code the customer shows at the counter, while the order waits for them."""
    if order.status is not OrderStatus.READY:
        return None
    return await orders.pickup_code_of(desk, order.order_id)


async def page_of(desk: OrderDesk, order: OrderView, now: datetime) -> PickupPage:
    """Everything the page shows of the order now, and what the customer may do."""
    async with desk.engine.connect() as conn:
        store = await _store_now(conn, order.store)
        lines = await console.order_pick_list(conn, order)
        offered = await _offered_stores(conn, order.choice)
        slot = await slots.booking(conn, order.order_id)
        slot_choices = []
        if store is not None and may_choose_slot(order.status):
            slot_choices = await slots.choices(conn, store, now + SLOT_NOTICE, SLOT_DAYS, slot)
    return PickupPage(
        order_id=order.order_id,
        reference=order.placement.channel_order_id,
        status=order.status,
        step=progress_step(order.status),
        store=store,
        hours=week_hours(store, now) if store else [],
        changed=changed_days(store, now) if store else [],
        map_url=map_link(store) if store else None,
        lines=lines,
        ready_by=order.ready_by,
        pickup_deadline=order.pickup_deadline,
        pickup_code=await pickup_code(desk, order),
        collector=order.collector,
        check_in=order.check_in,
        language=order.placement.customer.locale.split("-")[0],
        choice=order.choice if order.status is OrderStatus.AWAITING_CUSTOMER else None,
        offered=offered if order.status is OrderStatus.AWAITING_CUSTOMER else [],
        delivery_address=order.placement.delivery_address,
        may_cancel=customer_may_cancel(order.status),
        may_check_in=may_check_in(order.status),
        may_name_collector=may_name_collector(order.status),
        slot=slot,
        slot_choices=slot_choices,
        deadline_at_closing=console.held_until_closing(order),
    )


async def _store_now(conn: AsyncConnection, store: StoreProfile | None) -> StoreProfile | None:
    """The order's store with its calendar as it is today (special days added since the order was
    placed included), without its email."""
    if store is None:
        return None
    with suppress(NotFound):  # a store removed since: the order keeps the profile it was placed with
        store = await get_store(conn, store.id)
    return store.model_copy(update={"email": None})


async def _offered_stores(conn: AsyncConnection, choice: ChoiceRequest | None) -> list[OfferedStore]:
    """The stores offered in a choice, with the name and address the customer knows them by."""
    offered = []
    for candidate in choice.stores if choice else []:
        profile = await get_store(conn, candidate.store_id)
        offered.append(
            OfferedStore(
                store_id=candidate.store_id,
                name=profile.name,
                address=f"{profile.address}, {profile.city}",
                distance_km=candidate.distance_km,
                ready_by=candidate.ready_by,
            )
        )
    return offered


async def choose_slot(desk: OrderDesk, order: OrderView, starts_at: datetime, now: datetime) -> Slot:
    """Book or change the order's pickup slot, while the store has the order and the slot has not begun."""
    if order.store is None or not may_choose_slot(order.status):
        raise OrderEnded(order.order_id, order.status.value)
    if starts_at <= now + SLOT_NOTICE:
        raise InvalidField(("pickup_slot",), "this slot begins too soon; choose a later one")
    slot = await slots.book(desk.engine, order.order_id, order.store.id, starts_at)
    booked = PickupSlot(starts_at=slot.starts_at, ends_at=slot.ends_at)
    try:  # the place is held; the workflow aims the store's ready-by (and the hold) at it
        await desk.client.get_workflow_handle(order.order_id).signal(ids.SIGNAL_SLOT_BOOKED, booked)
    except RPCError:
        raise OrderBusy(order.order_id, "the slot is booked, but the order did not hear it; retry") from None
    return slot


async def check_in(desk: OrderDesk, order: OrderView, request: CustomerCheckIn) -> OrderView:
    return await orders.check_in(desk, order, request)


async def name_collector(desk: OrderDesk, order: OrderView, name: str | None) -> OrderView:
    return await orders.name_collector(desk, order, CollectorNaming(name=name or None))


async def choose(desk: OrderDesk, order: OrderView, answer: CustomerChoice) -> OrderView:
    return await orders.choose(desk, order, answer)


async def cancel(desk: OrderDesk, order: OrderView) -> OrderView:
    """Cancelled by the customer before picking starts: stock released, payment voided, customer told."""
    return await orders.cancel(
        desk, order.order_id, Cancellation(reason="cancelled on the pickup page", actor=CUSTOMER)
    )
