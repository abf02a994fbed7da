"""No amount can wedge an order: totals are bounded at the door, and the payments ledger refuses an
amount it cannot hold once, for good, instead of retrying forever."""

import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.payments import PaymentActivities
from tests.conftest import placement
from tests.integration.flow import stock
from workflows.contracts import PaymentRequest, Refund


async def test_an_order_whose_total_overflows_the_ledger_is_refused_and_reserves_nothing(
    api: httpx.AsyncClient,
) -> None:
    order = placement(lines=[("TENT-2P", 2)]).model_dump(mode="json")
    order["lines"][0]["unit_price"] = "9999999999.99"
    before = await stock(api, "paris-rivoli", "TENT-2P")
    refused = await api.post("/v1/orders", json=order)
    assert refused.status_code == 422, refused.text
    [detail] = refused.json()["detail"]
    assert detail["loc"] == ["body", "lines", 0] and "9999999999.99" in detail["msg"]
    assert await stock(api, "paris-rivoli", "TENT-2P") == before


@pytest.mark.parametrize("step", ["authorize", "capture", "void"])
async def test_a_payment_the_ledger_cannot_hold_fails_for_good(engine: AsyncEngine, step: str) -> None:
    activities, env = PaymentActivities(engine), ActivityEnvironment()
    order_id = f"order-test-{uuid.uuid4().hex}"
    if step == "void":  # a void needs an authorisation to release
        await env.run(
            activities.authorize, PaymentRequest(order_id=order_id, amount=Decimal(1), currency="EUR")
        )
    huge = PaymentRequest(order_id=order_id, amount=Decimal("20000000000.00"), currency="EUR")
    with pytest.raises(ApplicationError) as failed:
        await env.run(getattr(activities, step), huge)
    assert failed.value.non_retryable and failed.value.type == "PaymentUnrecordable"


async def test_a_refund_the_ledger_cannot_hold_fails_for_good(engine: AsyncEngine) -> None:
    activities, env = PaymentActivities(engine), ActivityEnvironment()
    order_id = f"order-test-{uuid.uuid4().hex}"
    await env.run(activities.authorize, PaymentRequest(order_id=order_id, amount=Decimal(5), currency="EUR"))
    refund = Refund(order_id=order_id, amount=Decimal("1"), currency="EURO", key="k", reason="test")
    with pytest.raises(ApplicationError) as failed:
        await env.run(activities.refund, refund)
    assert failed.value.non_retryable
