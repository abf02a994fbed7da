"""Each step of an order is one transaction on the real database: run twice, as a retry would, nothing
happens twice; a part that fails for good leaves nothing of the step behind."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notifications import NotificationActivities
from activities.order_steps import OrderStepActivities
from adapters.db import orders, outbox, stock
from adapters.messaging.render import MessageRenderer
from domain.messages import notification_for
from domain.notifications import NotificationKind
from domain.order import apply_transition
from domain.order_state import OrderState, OrderView
from domain.status import OrderStatus
from domain.values import OrderPlacement, TimelineEntry
from services.customer_messages import Messenger
from tests.conftest import placement
from tests.integration.conftest import payment_entries
from tests.integration.test_activities_idempotent import CountingSender
from tests.integration.test_stock import new_sku
from workflows.contracts import (
    CollectionSettlement,
    Compensation,
    IntakeReservation,
    PartialRelease,
    PaymentRequest,
    RecordAndTell,
    Refund,
    ReservationRequest,
)

STORE = "nyc-soho"
AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _steps(engine: AsyncEngine, senders: dict[str, CountingSender] | None = None) -> OrderStepActivities:
    senders = senders or {"email": CountingSender("email"), "sms": CountingSender("sms")}
    return OrderStepActivities(engine, Messenger(engine, senders, MessageRenderer()))


def _order(sku: str, quantity: int) -> tuple[OrderPlacement, OrderState]:
    order = placement(store_id=STORE, lines=[(sku, quantity)])
    state = OrderState(order_id=order.order_id, placement=order, status=OrderStatus.RECEIVED)
    state.timeline.append(TimelineEntry(at=AT, status=OrderStatus.RECEIVED, actor="channel:webshop"))
    return order, state


def _moved(state: OrderState, status: OrderStatus) -> OrderView:
    apply_transition(state, status, at=AT, actor="test")
    return state.view()


def _intake(order: OrderPlacement, view: OrderView, amount: Decimal) -> IntakeReservation:
    return IntakeReservation(
        reservation=ReservationRequest(order_id=order.order_id, store_id=STORE, lines=order.lines),
        payment=PaymentRequest(order_id=order.order_id, amount=amount, currency="EUR"),
        view=view,
    )


async def level(engine: AsyncEngine, sku: str) -> tuple[int, int]:
    async with engine.connect() as conn:
        found = await stock.level(conn, STORE, sku)
    assert found
    return found.on_hand, found.reserved


async def _recorded(engine: AsyncEngine, order_id: str) -> OrderView | None:
    async with engine.connect() as conn:
        return await orders.get(conn, order_id)


async def test_intake_and_collection_each_take_effect_once_however_often_retried(engine: AsyncEngine) -> None:
    activities, env = _steps(engine), ActivityEnvironment()
    sku = await new_sku(engine, on_hand=10)
    order, state = _order(sku, 3)
    intake = _intake(order, _moved(state, OrderStatus.RESERVED), Decimal("30.00"))
    assert (await env.run(activities.reserve_order, intake)).reserved
    assert (await env.run(activities.reserve_order, intake)).reserved  # a retry answers the same
    assert await level(engine, sku) == (10, 3)
    assert await payment_entries(engine, order.order_id) == [("authorization", Decimal("30.00"))]
    recorded = await _recorded(engine, order.order_id)
    assert recorded and recorded.status is OrderStatus.RESERVED

    for status in (OrderStatus.ACCEPTED, OrderStatus.PICKED, OrderStatus.READY):
        _moved(state, status)
    left = PartialRelease(
        holder_id=order.order_id, quantities={sku: 1}, reason="not collected", tag="uncollected"
    )
    settlement = CollectionSettlement(
        holder=order.order_id,
        left=left,
        refund=Refund(
            order_id=order.order_id, amount=Decimal("10.00"), currency="EUR", key="uncollected", reason="left"
        ),
        capture=PaymentRequest(order_id=order.order_id, amount=Decimal("20.00"), currency="EUR"),
        view=_moved(state, OrderStatus.COLLECTED),
    )
    await env.run(activities.settle_collection, settlement)
    await env.run(activities.settle_collection, settlement)
    assert await level(engine, sku) == (8, 0)  # one unit back on sale, two out of the store
    assert await payment_entries(engine, order.order_id) == [
        ("authorization", Decimal("30.00")),
        ("refund", Decimal("10.00")),
        ("capture", Decimal("20.00")),
    ]
    recorded = await _recorded(engine, order.order_id)
    assert recorded and recorded.status is OrderStatus.COLLECTED
    async with engine.connect() as conn:
        assert await stock.check_ledger(conn) == []


async def test_compensation_releases_and_voids_once(engine: AsyncEngine) -> None:
    activities, env = _steps(engine), ActivityEnvironment()
    sku = await new_sku(engine, on_hand=4)
    order, state = _order(sku, 2)
    await env.run(
        activities.reserve_order, _intake(order, _moved(state, OrderStatus.RESERVED), Decimal("20.00"))
    )
    compensation = Compensation(
        holder=order.order_id,
        void=PaymentRequest(order_id=order.order_id, amount=Decimal("20.00"), currency="EUR"),
        view=_moved(state, OrderStatus.CANCELLED),
    )
    await env.run(activities.settle_compensation, compensation)
    await env.run(activities.settle_compensation, compensation)
    assert await level(engine, sku) == (4, 0)
    assert [kind for kind, _ in await payment_entries(engine, order.order_id)] == ["authorization", "void"]
    recorded = await _recorded(engine, order.order_id)
    assert recorded and recorded.status is OrderStatus.CANCELLED


async def test_a_reservation_whose_payment_the_ledger_cannot_hold_fails_for_good_and_holds_nothing(
    engine: AsyncEngine,
) -> None:
    activities, env = _steps(engine), ActivityEnvironment()
    sku = await new_sku(engine, on_hand=5)
    order, state = _order(sku, 2)
    huge = _intake(order, _moved(state, OrderStatus.RESERVED), Decimal("20000000000.00"))
    with pytest.raises(ApplicationError) as failed:
        await env.run(activities.reserve_order, huge)
    assert failed.value.non_retryable and failed.value.type == "PaymentUnrecordable"
    assert await level(engine, sku) == (5, 0)  # the reservation went with the payment
    async with engine.connect() as conn:
        assert await stock.reservation_of(conn, order.order_id) == []
    assert await payment_entries(engine, order.order_id) == []
    assert await _recorded(engine, order.order_id) is None


async def test_a_step_ending_with_a_message_sends_it_once_it_committed_however_often_retried(
    engine: AsyncEngine,
) -> None:
    senders = {"email": CountingSender("email"), "sms": CountingSender("sms")}
    activities, env = _steps(engine, senders), ActivityEnvironment()
    order, state = _order(await new_sku(engine, on_hand=1), 1)
    state.pickup_code = "246810"
    view = _moved(state, OrderStatus.RESERVED)
    ready = RecordAndTell(view=view, message=notification_for(state, NotificationKind.READY_FOR_PICKUP))
    assert await env.run(activities.record_and_tell, ready) is True
    assert await env.run(activities.record_and_tell, ready) is True  # a retry: recorded and told once
    assert senders["email"].sent == ["camille@example.com"] and senders["sms"].sent == ["+33612345678"]
    recorded = await _recorded(engine, order.order_id)
    assert recorded and recorded.version == view.version
    async with engine.connect() as conn:
        sent = await outbox.for_order(conn, order.order_id)
    assert [(m.kind, m.channel, m.status) for m in sent] == [
        ("ready_for_pickup", "email", "sent"),
        ("ready_for_pickup", "sms", "sent"),
    ]


async def test_a_message_its_provider_cannot_take_is_left_to_the_workflow_and_the_step_stands(
    engine: AsyncEngine,
) -> None:
    """The step answers False (the workflow then sends the message itself, with retries): what it wrote
    is committed, and the message's own retry sends what was not sent, once."""
    senders = {"email": CountingSender("email", fail_first=True), "sms": CountingSender("sms")}
    activities, env = _steps(engine, senders), ActivityEnvironment()
    sku = await new_sku(engine, on_hand=2)
    order, state = _order(sku, 1)
    await env.run(
        activities.reserve_order, _intake(order, _moved(state, OrderStatus.RESERVED), Decimal("10.00"))
    )
    for status in (OrderStatus.ACCEPTED, OrderStatus.PICKED, OrderStatus.READY):
        _moved(state, status)
    receipt = notification_for(state, NotificationKind.RECEIPT)
    settlement = CollectionSettlement(
        holder=order.order_id,
        capture=PaymentRequest(order_id=order.order_id, amount=Decimal("10.00"), currency="EUR"),
        view=_moved(state, OrderStatus.COLLECTED),
        message=receipt,
    )
    assert await env.run(activities.settle_collection, settlement) is False
    assert await level(engine, sku) == (1, 0)  # the collection committed all the same
    assert [kind for kind, _ in await payment_entries(engine, order.order_id)] == ["authorization", "capture"]
    messenger = Messenger(engine, senders, MessageRenderer())
    assert await env.run(NotificationActivities(messenger).notify_customer, receipt) == ["email"]
    assert await env.run(activities.settle_collection, settlement) is True  # a late retry of the step
    assert senders["email"].sent == ["camille@example.com"]  # once
    no_message = settlement.model_copy(update={"message": None})
    assert await env.run(activities.settle_collection, no_message) is None
