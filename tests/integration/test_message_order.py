"""A customer reads an order's messages in the order they were asked: a ready notice, sent within its
workflow task, waits for a confirmation still at a slow provider (on the dev server: store steps are
updates; the activities are the workflow tests' fakes)."""

import asyncio
import uuid

from temporalio.client import Client, WorkflowUpdateStage
from temporalio.worker import Worker

from domain import ids
from domain.commands import Cancellation, PickReport, ReadyReport, StoreAcceptance
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import OrderPlacement, PickedLine
from tests.conftest import placement
from tests.workflows.fakes import HOME, FakeSystems, Gate
from workflows.contracts import OrderInput
from workflows.delivery import DeliveryWorkflow
from workflows.order import OrderWorkflow

STORE = f"store:{HOME}"


async def test_a_ready_notice_waits_for_the_confirmation_still_at_its_provider(client: Client) -> None:
    gate = Gate()
    fakes, queue = FakeSystems(confirmation_gate=gate), f"tq-{uuid.uuid4()}"
    order = placement()
    async with Worker(
        client, task_queue=queue, workflows=[OrderWorkflow, DeliveryWorkflow], activities=fakes.activities()
    ):
        try:
            await _ready_behind_the_confirmation(client, queue, order, fakes, gate)
        finally:
            gate.set()  # the worker stops only once its activities are done


async def _ready_behind_the_confirmation(
    client: Client, queue: str, order: OrderPlacement, fakes: FakeSystems, gate: Gate
) -> None:
    handle = await client.start_workflow(
        OrderWorkflow.run, OrderInput(placement=order), id=order.order_id, task_queue=queue
    )

    async def status() -> OrderStatus:
        return (await handle.query(ids.QUERY_STATE, result_type=OrderView)).status

    for _ in range(100):
        if await status() is OrderStatus.RESERVED:
            break
        await asyncio.sleep(0.05)
    await handle.execute_update(ids.UPDATE_ACCEPT, StoreAcceptance(actor=STORE))
    picked = [PickedLine(sku=line.sku, quantity=line.quantity) for line in order.lines]
    await handle.execute_update(ids.UPDATE_PICK, PickReport(lines=picked, actor=STORE))
    ready = await handle.start_update(
        ids.UPDATE_MARK_READY,
        ReadyReport(staging_location="B3", actor=STORE),
        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        result_type=OrderView,
    )
    await asyncio.sleep(1)  # the ready notice would have gone by now
    assert await status() is OrderStatus.READY and fakes.kinds() == []
    gate.set()
    assert (await ready.result()).status is OrderStatus.READY
    assert fakes.kinds() == ["order_confirmed", "ready_for_pickup"]
    await handle.signal(ids.SIGNAL_CANCEL, Cancellation(actor="support:test", reason="test over"))
    await handle.result()
