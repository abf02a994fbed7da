"""Use cases' own rules, without servers: how intake answers, who is told of stock at risk, which store
may act on an order, what a workflow's refusal says, how links are signed."""

from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from adapters.db.inventory import HeldUnits
from adapters.db.orders import OrderRef
from domain.access import Grant, Role
from domain.commands import StoreAcceptance
from domain.decisions import CandidateScore
from domain.errors import OrderError
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import MissingLine, StockAtRisk
from services import orders
from services.errors import Forbidden, InsufficientStock, NotConfigured, NotFound, StepRefused, StoreClosed
from services.intake import answer_for
from services.signals import OrderSignals
from services.stock_review import AtRiskOrder, newly_at_risk, to_tell
from services.tracking import tracking_token, tracking_url
from tests.conftest import placement

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RISK = StockAtRisk(store_id="paris-rivoli", sku="TENT-2P", short_by=1, detected_at=AT)


def _order(status: OrderStatus = OrderStatus.RESERVED, **fields: Any) -> OrderView:
    placed = placement()
    return OrderView(order_id=placed.order_id, placement=placed, status=status, **fields)


def test_a_new_order_answers_created_and_a_repeat_answers_ok() -> None:
    order = _order()
    assert answer_for(order, created=True).status_code == 201
    assert answer_for(order, created=False).status_code == 200
    assert answer_for(order, created=True).order == order


def test_a_rejected_order_is_refused_with_the_missing_lines_and_the_stores_that_can_serve_it() -> None:
    missing = [MissingLine(sku="TENT-2P", requested=2, available=1)]
    nearby = [CandidateScore(store_id="paris-bastille", distance_km=2.1)]
    order = _order(OrderStatus.REJECTED, missing=missing, alternatives=nearby)
    with pytest.raises(InsufficientStock) as refused:
        answer_for(order, created=True)
    assert (refused.value.order_id, refused.value.missing, refused.value.alternatives) == (
        order.order_id,
        missing,
        nearby,
    )


def test_an_order_rejected_before_any_stock_was_checked_means_the_store_takes_no_orders() -> None:
    with pytest.raises(StoreClosed):
        answer_for(_order(OrderStatus.REJECTED), created=True)


def test_a_shortfall_hits_the_newest_reservations_not_flagged_before() -> None:
    held = [
        HeldUnits(holder_id="order-new", quantity=1, at_risk=False),
        HeldUnits(holder_id="order-mid", quantity=1, at_risk=True),
        HeldUnits(holder_id="order-old", quantity=5, at_risk=False),
    ]
    assert newly_at_risk(1, held) == ["order-new"]
    assert newly_at_risk(3, held) == ["order-new", "order-old"]
    assert newly_at_risk(0, held) == []


def test_orders_at_risk_are_told_but_not_checkout_holds_nor_the_order_that_reported_the_shortfall() -> None:
    at_risk = [
        AtRiskOrder(holder_id="order-a@1", order_id="order-a", risk=RISK),
        AtRiskOrder(holder_id="hold-0123", order_id="hold-0123", risk=RISK),
        AtRiskOrder(holder_id="order-b", order_id="order-b", risk=RISK),
    ]
    assert [e.order_id for e in to_tell(at_risk)] == ["order-a", "order-b"]
    assert [e.order_id for e in to_tell(at_risk, aware="order-a@1")] == ["order-b"]
    assert [e.order_id for e in to_tell(at_risk, aware="order-a")] == ["order-a", "order-b"]


class _Handle:
    def __init__(self, failure: Exception | None) -> None:
        self.failure = failure
        self.sent: list[tuple[str, Any]] = []

    async def signal(self, name: str, arg: Any) -> None:
        if self.failure:
            raise self.failure
        self.sent.append((name, arg))


class _Client:
    def __init__(self, failure: Exception | None = None) -> None:
        self.handle = _Handle(failure)

    def get_workflow_handle(self, workflow_id: str) -> _Handle:
        return self.handle


async def test_an_order_at_risk_is_signalled_an_ended_one_is_skipped_and_other_failures_raise() -> None:
    told = _Client()
    await OrderSignals(lambda: told).stock_at_risk("order-a", RISK)  # type: ignore[arg-type,return-value]
    assert told.handle.sent == [("stock_at_risk", RISK)]

    ended = _Client(RPCError("gone", RPCStatusCode.NOT_FOUND, b""))
    await OrderSignals(lambda: ended).stock_at_risk("order-a", RISK)  # type: ignore[arg-type,return-value]

    down = _Client(RPCError("down", RPCStatusCode.UNAVAILABLE, b""))
    with pytest.raises(RPCError):
        await OrderSignals(lambda: down).stock_at_risk("order-a", RISK)  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(
    ("role", "refusal"), [(Role.STORE, Forbidden), (Role.OPS, NotFound), (Role.SUPPORT, NotFound)]
)
async def test_a_store_step_on_another_stores_order_is_refused_before_the_workflow_is_asked(
    monkeypatch: pytest.MonkeyPatch, role: Role, refusal: type[Exception]
) -> None:
    order = _order()  # prepared at paris-rivoli

    async def found(desk: orders.OrderDesk, order_id: str) -> OrderRef:
        return OrderRef.of(order)

    monkeypatch.setattr(orders, "find_ref", found)
    desk = orders.OrderDesk(client=None, engine=None, wait=None)  # type: ignore[arg-type]
    caller = Grant(role=role, store_id="lyon-part-dieu" if role is Role.STORE else None)
    with pytest.raises(refusal):
        await orders.accept(desk, caller, "lyon-part-dieu", order.order_id, StoreAcceptance(actor="store:x"))


def test_a_workflow_refusal_keeps_its_type_message_and_details() -> None:
    cause = ApplicationError("order is picked", "picked", type=OrderError.TRANSITION)
    refused = orders.refusal(WorkflowUpdateFailedError(cause))
    assert isinstance(refused, StepRefused)
    assert (refused.kind, refused.message, refused.details) == (
        OrderError.TRANSITION,
        "order is picked",
        ["picked"],
    )
    other = orders.refusal(WorkflowUpdateFailedError(RuntimeError("worker crashed")))
    assert (other.kind, other.message) == (None, "worker crashed")


def test_a_tracking_link_needs_a_secret_and_its_token_is_stable_per_order() -> None:
    with pytest.raises(NotConfigured):
        tracking_url(None, "https://oms.example.com", "order-webshop-1")
    url = tracking_url("s3cret", "https://oms.example.com/", "order-webshop-1")
    assert (
        url
        == f"https://oms.example.com/v1/track/order-webshop-1/{tracking_token('s3cret', 'order-webshop-1')}"
    )
    assert tracking_token("s3cret", "order-webshop-1") != tracking_token("s3cret", "order-webshop-2")
    assert len(tracking_token("s3cret", "order-webshop-1")) == 32
