"""Each activity against the real database, run twice as a retry would: nothing happens twice."""

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notifications import NotificationActivities
from activities.order_records import OrderRecordActivities
from activities.payments import PaymentActivities
from activities.stock import StockActivities
from adapters.db import orders, payments, stock
from adapters.db.tables import notifications
from adapters.messaging.render import MessageRenderer, RenderedMessage
from domain.messages import notification_for
from domain.notifications import CustomerNotification, NotificationKind
from domain.order import apply_transition
from domain.order_state import OrderState
from domain.status import OrderStatus
from domain.values import TimelineEntry
from services.customer_messages import Messenger
from tests.conftest import placement
from workflows.contracts import PaymentRequest, Refund, ReservationRequest

STORE = "nyc-soho"
PLACED_AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def _level(engine: AsyncEngine, sku: str) -> tuple[int, int]:
    async with engine.connect() as conn:
        level = await stock.level(conn, STORE, sku)
    assert level
    return level.on_hand, level.reserved


def _request(sku: str, quantity: int) -> ReservationRequest:
    order = placement(store_id=STORE, lines=[(sku, quantity)])
    return ReservationRequest(order_id=order.order_id, store_id=STORE, lines=order.lines)


async def test_reserve_commit_and_release_each_take_effect_once(engine: AsyncEngine) -> None:
    activities, env = StockActivities(engine), ActivityEnvironment()
    on_hand, reserved = await _level(engine, "BOTTLE-1L")

    first = _request("BOTTLE-1L", 2)
    assert (await env.run(activities.reserve, first)).reserved
    assert (await env.run(activities.reserve, first)).reserved  # a retry answers the same
    assert await _level(engine, "BOTTLE-1L") == (on_hand, reserved + 2)
    assert await env.run(activities.commit, first.order_id) == 1
    assert await env.run(activities.commit, first.order_id) == 0
    assert await env.run(activities.release, first.order_id) == 0  # committed units stay sold
    assert await _level(engine, "BOTTLE-1L") == (on_hand - 2, reserved)

    second = _request("BOTTLE-1L", 1)
    await env.run(activities.reserve, second)
    assert await env.run(activities.release, second.order_id) == 1
    assert await env.run(activities.release, second.order_id) == 0
    assert await _level(engine, "BOTTLE-1L") == (on_hand - 2, reserved)


async def test_concurrent_retries_of_one_reservation_reserve_once(engine: AsyncEngine) -> None:
    activities, env = StockActivities(engine), ActivityEnvironment()
    on_hand, reserved = await _level(engine, "HEADLAMP-300")
    request = _request("HEADLAMP-300", 3)
    results = await asyncio.gather(
        *(env.run(activities.reserve, request) for _ in range(4)), return_exceptions=True
    )
    # Overlapping attempts may lose the insert race (and be retried by Temporal); none reserves twice.
    assert any(getattr(result, "reserved", False) for result in results)
    assert (await env.run(activities.reserve, request)).reserved
    assert await _level(engine, "HEADLAMP-300") == (on_hand, reserved + 3)


async def test_payment_steps_are_recorded_once_and_never_both_ways(engine: AsyncEngine) -> None:
    activities, env = PaymentActivities(engine), ActivityEnvironment()
    captured = PaymentRequest(
        order_id=f"order-test-{uuid.uuid4().hex}", amount=Decimal("42.50"), currency="EUR"
    )
    assert await env.run(activities.authorize, captured)
    assert not await env.run(activities.authorize, captured)
    assert await env.run(activities.capture, captured)
    assert not await env.run(activities.capture, captured)
    with pytest.raises(ApplicationError, match="needs a refund"):
        await env.run(activities.void, captured)

    voided = captured.model_copy(update={"order_id": f"order-test-{uuid.uuid4().hex}"})
    assert not await env.run(activities.void, voided)  # nothing authorised, nothing to void
    await env.run(activities.authorize, voided)
    assert await env.run(activities.void, voided)
    assert not await env.run(activities.void, voided)
    with pytest.raises(ApplicationError, match="voided"):
        await env.run(activities.capture, voided)
    async with engine.connect() as conn:
        assert [e.kind for e in await payments.ledger(conn, captured.order_id)] == [
            "authorization",
            "capture",
        ]
        assert [e.kind for e in await payments.ledger(conn, voided.order_id)] == ["authorization", "void"]


async def test_a_refund_is_issued_once_per_key_and_never_beyond_what_was_authorised(
    engine: AsyncEngine,
) -> None:
    activities, env = PaymentActivities(engine), ActivityEnvironment()
    order_id = f"order-test-{uuid.uuid4().hex}"
    await env.run(
        activities.authorize, PaymentRequest(order_id=order_id, amount=Decimal("30.00"), currency="EUR")
    )

    def refund(key: str, amount: str) -> Refund:
        return Refund(order_id=order_id, amount=Decimal(amount), currency="EUR", key=key, reason="test")

    assert await env.run(activities.refund, refund("short-pick-0", "10.00"))
    assert not await env.run(activities.refund, refund("short-pick-0", "10.00"))  # a retry
    # Overlapping retries of one refund (a worker crash, a timeout) serialise on the order's ledger.
    results = await asyncio.gather(
        *(env.run(activities.refund, refund("uncollected", "5.00")) for _ in range(4))
    )
    assert results.count(True) == 1
    with pytest.raises(ApplicationError, match="exceeds the 15.00 still held"):
        await env.run(activities.refund, refund("goodwill", "15.01"))
    await env.run(
        activities.capture, PaymentRequest(order_id=order_id, amount=Decimal("15.00"), currency="EUR")
    )
    async with engine.connect() as conn:
        ledger = [(e.kind, e.amount) for e in await payments.ledger(conn, order_id)]
    assert ledger == [
        ("authorization", Decimal("30.00")),
        ("refund", Decimal("10.00")),
        ("refund", Decimal("5.00")),
        ("capture", Decimal("15.00")),
    ]


class CountingSender:
    provider = "counting"

    def __init__(self, channel: str, fail_first: bool = False) -> None:
        self.channel = channel
        self.sent: list[str] = []
        self.fail_first = fail_first

    async def send(self, recipient: str, message: RenderedMessage, reference: str) -> str:
        if self.fail_first:
            self.fail_first = False
            raise ConnectionError("provider unreachable")
        self.sent.append(recipient)
        return f"id-{len(self.sent)}"

    async def find_sent(self, recipient: str, message: RenderedMessage, since: datetime) -> str | None:
        return None


def _message(kind: NotificationKind) -> CustomerNotification:
    order = placement()
    state = OrderState(
        order_id=order.order_id, placement=order, status=OrderStatus.READY, pickup_code="135790"
    )
    return notification_for(state, kind)


async def test_a_notification_goes_out_once_per_channel_however_often_it_is_retried(
    engine: AsyncEngine,
) -> None:
    senders = {"email": CountingSender("email"), "sms": CountingSender("sms")}
    messenger = Messenger(engine, senders, MessageRenderer())
    activities, env = NotificationActivities(messenger), ActivityEnvironment()
    message = _message(NotificationKind.READY_FOR_PICKUP)
    assert await env.run(activities.notify_customer, message) == ["email", "sms"]
    assert await env.run(activities.notify_customer, message) == ["email", "sms"]
    assert senders["email"].sent == ["camille@example.com"] and senders["sms"].sent == ["+33612345678"]
    async with engine.connect() as conn:
        rows = await conn.scalar(
            select(func.count()).where(
                notifications.c.order_id == message.order_id, notifications.c.status == "sent"
            )
        )
    assert rows == 2


async def test_a_failed_send_is_retried_and_then_recorded_once(engine: AsyncEngine) -> None:
    senders = {"email": CountingSender("email", fail_first=True), "sms": CountingSender("sms")}
    messenger = Messenger(engine, senders, MessageRenderer())
    activities, env = NotificationActivities(messenger), ActivityEnvironment()
    message = _message(NotificationKind.RECEIPT)
    with pytest.raises(ConnectionError):
        await env.run(activities.notify_customer, message)
    assert await env.run(activities.notify_customer, message) == ["email"]
    assert await env.run(activities.notify_customer, message) == ["email"]
    assert senders["email"].sent == ["camille@example.com"]


async def test_a_late_older_record_does_not_overwrite_a_newer_one(engine: AsyncEngine) -> None:
    activities, env = OrderRecordActivities(engine), ActivityEnvironment()
    order = placement()
    state = OrderState(order_id=order.order_id, placement=order, status=OrderStatus.RECEIVED)
    state.timeline.append(TimelineEntry(at=PLACED_AT, status=OrderStatus.RECEIVED, actor="channel:webshop"))
    apply_transition(state, OrderStatus.RESERVED, at=state.timeline[0].at, actor="system")
    older = state.view()
    apply_transition(state, OrderStatus.ACCEPTED, at=state.timeline[0].at, actor="store:x")
    newer = state.view()
    await env.run(activities.record, newer)
    await env.run(activities.record, older)
    await env.run(activities.record, newer)
    async with engine.connect() as conn:
        recorded = await orders.get(conn, order.order_id)
    assert recorded and recorded.status is OrderStatus.ACCEPTED and len(recorded.timeline) == 3
    with pytest.raises(ApplicationError, match="unknown store"):
        await env.run(activities.load_store, "atlantis")
