"""A return whose refund the payments ledger refuses (real stack): support gets a `refund_refused` alert
in GET /v1/support/alerts and the gauge, the return stays inspected, no money moves twice and the
customer gets no receipt of a refund."""

import asyncio
import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import payments
from tests.conftest import placement
from tests.integration.conftest import eventually, keep_history
from tests.integration.flow import pickup_code, place, prepare, step
from tests.integration.test_stock import new_sku
from workflows.contracts import Refund

pytestmark = pytest.mark.integration


async def _collected(api: httpx.AsyncClient, engine: AsyncEngine) -> tuple[str, str]:
    sku = await new_sku(engine, 2, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])  # 10.00
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    answer = await step(api, order, "collect", {"pickup_code": await pickup_code(api, order)})
    assert answer.status_code == 200, answer.text
    return order.order_id, sku


async def test_a_refund_the_ledger_refuses_raises_a_support_alert(
    api: httpx.AsyncClient, engine: AsyncEngine, client: Client
) -> None:
    order_id, sku = await _collected(api, engine)
    body = {
        "order": order_id,
        "store_id": "paris-rivoli",
        "request_key": f"form-{uuid.uuid4().hex}",
        "lines": [{"sku": sku, "reason": "defective", "conditions": ["damaged"]}],
    }
    # Support refunds the whole order by hand while the counter records the return: the return's share
    # (10.00) was right when it was recorded, but the ledger then holds nothing more to give back.
    async with engine.begin() as conn:
        goodwill = Refund(
            order_id=order_id, amount=Decimal("10.00"), currency="EUR", key="goodwill", reason="support"
        )
        assert await payments.refund(conn, goodwill)  # holds the order's ledger rows until commit
        recorded = await api.post("/v1/returns", json=body)
        assert recorded.status_code == 201, recorded.text
        assert Decimal(recorded.json()["refund"]) == Decimal("10.00")
        await asyncio.sleep(0.5)  # the return's refund step now waits on the ledger's lock
    return_id = recorded.json()["return_id"]

    async def alert() -> list[dict]:
        alerts = (await api.get("/v1/support/alerts")).json()
        return [a for a in alerts if a["order_id"] == order_id and a["kind"] == "refund_refused"]

    [raised] = await eventually(alert, timeout=30)
    assert return_id in raised["detail"] and "10.00 EUR" in raised["detail"]
    assert "PaymentConflict" in raised["detail"] and "exceeds" in raised["detail"]
    assert (await api.get(f"/v1/returns/{return_id}")).json()["status"] == "inspected"
    async with engine.connect() as conn:
        refunds = [e.amount for e in await payments.ledger(conn, order_id) if e.kind == payments.REFUND]
    assert refunds == [Decimal("10.00")]  # the goodwill refund only
    messages = (await api.get(f"/v1/orders/{order_id}/notifications")).json()
    assert "return_receipt" not in [m["kind"] for m in messages]
    metrics = (await api.get("/metrics")).text
    assert 'oms_support_alerts_open{kind="refund_refused"}' in metrics
    ended = await client.get_workflow_handle(return_id).result()
    assert ended["status"] == "inspected" and "exceeds" in ended["refund_refused"]
    await keep_history(client, return_id, "returns/refund_refused")
