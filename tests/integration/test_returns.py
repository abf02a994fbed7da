"""Returns through the API on the real stack: a partial return at another store, a double submit, two
counters returning the same line at once, refusals, and each ledger moved once."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from activities.returns import ReturnActivities
from adapters.db import payments
from adapters.db.tables import order_events
from domain import ids
from domain.access import Grant, Role
from domain.returns import ItemCondition, ReturnLine, ReturnPolicy, ReturnReason, ReturnStatus
from services.returns import ReturnAtCounter, ReturnDesk, open_return
from tests.conftest import placement
from tests.integration.conftest import _api, eventually, keep_history, settings_for
from tests.integration.flow import pickup_code, place, prepare, step, stock
from worker.main import activities_for, embedded_senders
from workflows.activities import activity_name
from workflows.return_contracts import ReturnRefund, ReturnState, ReturnStock
from workflows.returns import ReturnWorkflow

LYON = "lyon-part-dieu"


async def collected(api: httpx.AsyncClient, lines: list[tuple[str, int]]) -> str:
    """An order placed, prepared and collected at Paris Rivoli; its id."""
    order = placement(lines=lines)
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    answer = await step(api, order, "collect", {"pickup_code": await pickup_code(api, order)})
    assert answer.status_code == 200, answer.text
    return order.order_id


def return_body(order: str, store_id: str = LYON, key: str | None = None, **lines: list[str]) -> dict:
    return {
        "order": order,
        "store_id": store_id,
        "request_key": key or f"form-{uuid.uuid4().hex}",
        "lines": [
            {"sku": sku.replace("_", "-"), "reason": "wrong_size", "conditions": conditions}
            for sku, conditions in lines.items()
        ],
    }


async def closed(api: httpx.AsyncClient, return_id: str) -> dict:
    async def check() -> dict | None:
        answer = (await api.get(f"/v1/returns/{return_id}")).json()
        return answer if answer["status"] == "closed" else None

    return await eventually(check)


async def test_a_partial_return_at_another_store_restocks_there_and_refunds_its_share_once(
    api: httpx.AsyncClient, engine: AsyncEngine, client: Client
) -> None:
    order_id = await collected(api, [("SLEEPBAG-5C", 2), ("STOVE-GAS", 1)])  # 30.00 captured
    lyon_bags, lyon_stoves = await stock(api, LYON, "SLEEPBAG-5C"), await stock(api, LYON, "STOVE-GAS")
    paris_bags = await stock(api, "paris-rivoli", "SLEEPBAG-5C")
    body = return_body(order_id, SLEEPBAG_5C=["resellable"], STOVE_GAS=["damaged"])

    first, again = await api.post("/v1/returns", json=body), await api.post("/v1/returns", json=body)

    assert first.status_code == 201, first.text
    assert again.json()["return_id"] == first.json()["return_id"] == f"return-{order_id}-1"
    assert Decimal(first.json()["refund"]) == Decimal("20.00")
    done = await closed(api, first.json()["return_id"])
    assert done["store_id"] == LYON
    assert (await stock(api, LYON, "SLEEPBAG-5C"))["on_hand"] == lyon_bags["on_hand"] + 1
    assert (await stock(api, LYON, "STOVE-GAS"))["on_hand"] == lyon_stoves["on_hand"]  # taken in, written off
    assert (await stock(api, "paris-rivoli", "SLEEPBAG-5C"))["on_hand"] == paris_bags["on_hand"]
    async with engine.connect() as conn:
        refunds = [e for e in await payments.ledger(conn, order_id) if e.kind == payments.REFUND]
        timeline = await conn.scalars(
            select(order_events.c.status)
            .where(order_events.c.order_id == order_id)
            .order_by(order_events.c.seq)
        )
        steps = [status for status in timeline if status.startswith("return_")]
    assert [r.amount for r in refunds] == [Decimal("20.00")]
    assert steps == ["return_received", "return_inspected", "return_refunded", "return_closed"]
    order = (await api.get(f"/v1/orders/{order_id}")).json()
    assert [(r["number"], r["status"], r["store_id"]) for r in order["returns"]] == [(1, "closed", LYON)]
    await keep_history(client, first.json()["return_id"], "returns/partial_return_closed")


async def test_two_counters_returning_the_same_line_at_once_only_one_succeeds(api: httpx.AsyncClient) -> None:
    order_id = await collected(api, [("HEADLAMP-300", 1)])
    answers = await asyncio.gather(
        *(api.post("/v1/returns", json=return_body(order_id, HEADLAMP_300=["resellable"])) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert (refused["error"], refused["field"]) == ("line_already_returned", "lines[0].sku")


async def test_refused_returns_name_what_is_wrong(api: httpx.AsyncClient) -> None:
    order_id = await collected(api, [("BOTTLE-1L", 1)])
    too_many = await api.post(
        "/v1/returns", json=return_body(order_id, BOTTLE_1L=["resellable", "resellable"])
    )
    assert too_many.status_code == 422
    assert (too_many.json()["error"], too_many.json()["field"]) == ("more_than_bought", "lines[0].conditions")

    waiting = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, waiting)).status_code == 201
    never = await api.post("/v1/returns", json=return_body(waiting.order_id, BOTTLE_1L=["resellable"]))
    assert never.status_code == 409
    assert (never.json()["error"], never.json()["field"]) == ("order_not_collected", "order")

    unknown = await api.post("/v1/returns", json=return_body("order-webshop-NOPE", BOTTLE_1L=["resellable"]))
    assert unknown.status_code == 404


async def test_a_store_key_records_returns_at_its_own_store_only(api: httpx.AsyncClient) -> None:
    order_id = await collected(api, [("BOTTLE-1L", 1)])
    body = return_body(order_id, BOTTLE_1L=["resellable"])
    answer = await api.post("/v1/returns", json=body, headers={"X-API-Key": "test-store-paris"})
    assert answer.status_code == 403


@pytest.fixture
async def one_second_window(
    client: Client, database_url: str, engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(client, database_url)
    settings.returns = ReturnPolicy(window=timedelta(seconds=1))
    async for http in _api(settings, client, engine):
        yield http


async def test_a_return_after_the_window_is_refused(
    one_second_window: httpx.AsyncClient, worker: None
) -> None:
    order_id = await collected(one_second_window, [("BOTTLE-1L", 1)])
    await asyncio.sleep(1.5)
    late = await one_second_window.post("/v1/returns", json=return_body(order_id, BOTTLE_1L=["resellable"]))
    assert late.status_code == 422
    assert (late.json()["error"], late.json()["field"]) == ("return_window_closed", "order")


async def test_return_activities_repeat_to_no_effect(api: httpx.AsyncClient, engine: AsyncEngine) -> None:
    order_id = await collected(api, [("JACKET-M", 2)])  # 20.00 captured
    steps, return_id = ReturnActivities(engine), f"return-{order_id}-9"
    stock_step = ReturnStock(
        return_id=return_id,
        store_id=LYON,
        resellable={"JACKET-M": 1},
        damaged={"JACKET-M": 1},
        reasons={"JACKET-M": "defective"},
    )
    assert await steps.restock(stock_step) == 3
    assert await steps.restock(stock_step) == 0
    refund = ReturnRefund(return_id=return_id, order_id=order_id, amount=Decimal("15.00"), currency="EUR")
    assert await steps.refund(refund) == Decimal("15.00")
    assert await steps.refund(refund.model_copy(update={"amount": Decimal("1.00")})) == Decimal("15.00")
    with pytest.raises(Exception, match="exceeds the 5.00"):
        await steps.refund(
            ReturnRefund(return_id=f"{return_id}0", order_id=order_id, amount=Decimal("6"), currency="EUR")
        )
    async with engine.connect() as conn:
        refunds = [e.amount for e in await payments.ledger(conn, order_id) if e.kind == payments.REFUND]
    assert refunds == [Decimal("15.00")]


class RefundThenCrash(ReturnActivities):
    """The ledger commits the refund, then the worker is lost before the workflow hears of it (once)."""

    crashed = 0

    @activity.defn(name=ids.ACTIVITY_REFUND_RETURN)
    async def refund(self, refund: ReturnRefund) -> Decimal:
        amount = await super().refund(refund)
        if not RefundThenCrash.crashed:
            RefundThenCrash.crashed += 1
            raise RuntimeError("worker lost after the refund was committed")
        return amount


async def test_a_worker_lost_mid_refund_refunds_once(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    order_id = await collected(api, [("BACKPACK-40", 2)])  # 20.00 captured
    queue = f"returns-crash-{uuid.uuid4().hex[:8]}"
    registered = [
        method
        for method in activities_for(engine, embedded_senders())
        if activity_name(method) != ids.ACTIVITY_REFUND_RETURN
    ]
    crashing = RefundThenCrash(engine)
    async with Worker(
        client, task_queue=queue, workflows=[ReturnWorkflow], activities=[*registered, crashing.refund]
    ):
        desk = ReturnDesk(client, engine, queue, ReturnPolicy())
        lines = [
            ReturnLine(
                sku="BACKPACK-40", reason=ReturnReason.CHANGED_MIND, conditions=[ItemCondition.RESELLABLE]
            )
        ]
        counter = ReturnAtCounter(
            order=order_id, store_id=LYON, lines=lines, request_key=f"k-{uuid.uuid4().hex}"
        )
        row = await open_return(desk, Grant(role=Role.OPS), "ops", counter)
        state = await client.get_workflow_handle(row["id"], result_type=ReturnState).result()
    assert RefundThenCrash.crashed == 1
    assert (state.status, Decimal(state.refunded)) == (ReturnStatus.CLOSED, Decimal("10.00"))
    async with engine.connect() as conn:
        refunds = [e.amount for e in await payments.ledger(conn, order_id) if e.kind == payments.REFUND]
    assert refunds == [Decimal("10.00")]
