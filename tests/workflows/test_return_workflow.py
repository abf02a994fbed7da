"""The ReturnWorkflow on the time-skipping server with fake activities: its steps, stock, refund, receipt."""

import uuid
from decimal import Decimal

from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain import ids
from domain.notifications import CustomerNotification, NotificationFacts, NotificationKind
from domain.returns import ItemCondition, ReturnLine, ReturnReason, ReturnRequest, ReturnStatus
from tests.conftest import placement
from tests.workflows.return_fakes import FakeReturnWorld
from workflows.return_contracts import ReturnCase, ReturnState
from workflows.returns import ReturnWorkflow

OK, BROKEN = ItemCondition.RESELLABLE, ItemCondition.DAMAGED


def a_return(refund: str = "20.00") -> ReturnCase:
    placed = placement("R-7", lines=[("TENT-2P", 2), ("STOVE-GAS", 1)])
    order_id = placed.order_id
    return ReturnCase(
        return_id=ids.return_workflow_id(order_id, 1),
        number=1,
        request=ReturnRequest(
            order_id=order_id,
            store_id="paris-bastille",
            actor="store:paris-bastille",
            lines=[
                ReturnLine(sku="TENT-2P", reason=ReturnReason.WRONG_SIZE, conditions=[OK, BROKEN]),
            ],
        ),
        refund=Decimal(refund),
        currency="EUR",
        receipt=CustomerNotification(
            order_id=order_id,
            kind=NotificationKind.RETURN_RECEIPT,
            sequence=1,
            customer=placed.customer,
            facts=NotificationFacts(
                channel_order_id="R-7", total=placed.total, currency="EUR", refund_amount=Decimal(refund)
            ),
        ),
    )


async def settle(
    env: WorkflowEnvironment,
    case: ReturnCase,
    world: FakeReturnWorld,
    starts: int = 1,
    ends: ReturnStatus = ReturnStatus.CLOSED,
) -> ReturnState:
    queue = f"tq-{uuid.uuid4()}"
    async with Worker(
        env.client, task_queue=queue, workflows=[ReturnWorkflow], activities=world.activities()
    ):
        handles = [
            await env.client.start_workflow(
                ReturnWorkflow.run,
                case,
                id=case.return_id,
                task_queue=queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )
            for _ in range(starts)
        ]
        assert len({handle.result_run_id for handle in handles}) == 1
        state = await handles[0].result()
        assert state.status is ends
        return state


async def test_a_return_goes_received_inspected_refunded_closed(time_skipping: WorkflowEnvironment) -> None:
    world = FakeReturnWorld()
    await settle(time_skipping, a_return(), world)
    assert [p.status for p in world.progress] == [
        ReturnStatus.RECEIVED,
        ReturnStatus.INSPECTED,
        ReturnStatus.REFUNDED,
        ReturnStatus.CLOSED,
    ]
    assert world.progress[-1].return_id == "return-order-webshop-R-7-1"


async def test_resellable_units_go_back_to_the_store_they_were_brought_to_damaged_ones_are_written_off(
    time_skipping: WorkflowEnvironment,
) -> None:
    world = FakeReturnWorld()
    await settle(time_skipping, a_return(), world)
    assert world.shelf == {("paris-bastille", "TENT-2P"): 1}
    assert world.written_off == [("paris-bastille", "TENT-2P", 1, "wrong_size")]


async def test_the_refund_is_made_once_and_the_customer_gets_a_receipt(
    time_skipping: WorkflowEnvironment,
) -> None:
    world = FakeReturnWorld(crash_refund_once=True)
    await settle(time_skipping, a_return("20.00"), world, starts=2)  # a double click, a crash mid-refund
    assert world.refunds == {"return-order-webshop-R-7-1": Decimal("20.00")}
    assert [m.kind for m in world.sent] == [NotificationKind.RETURN_RECEIPT]
    assert "20.00 EUR refunded" in [p.reason for p in world.progress]


async def test_a_return_with_nothing_to_refund_skips_the_ledger(time_skipping: WorkflowEnvironment) -> None:
    world = FakeReturnWorld()
    await settle(time_skipping, a_return("0"), world)
    assert world.refunds == {}
    assert world.progress[-1].status is ReturnStatus.CLOSED


async def test_a_refund_the_ledger_refuses_alerts_support_and_sends_no_receipt(
    time_skipping: WorkflowEnvironment,
) -> None:
    world = FakeReturnWorld(refuse_refund="refund of 20.00 exceeds the 10.00 captured and not refunded")
    state = await settle(time_skipping, a_return("20.00"), world, starts=2, ends=ReturnStatus.INSPECTED)
    assert state.refund_refused == f"PaymentConflict: {world.refuse_refund}"
    assert world.refunds == {} and world.sent == []  # no money, no receipt of a refund
    assert world.shelf == {("paris-bastille", "TENT-2P"): 1}  # the units are back all the same
    [alert] = world.alerts.values()
    assert (alert.order_id, alert.kind, alert.key) == (
        "order-webshop-R-7",
        "refund_refused",
        "return-order-webshop-R-7-1:refund_refused",
    )
    assert "return 1" in alert.detail and "20.00 EUR" in alert.detail and "exceeds" in alert.detail
    assert [p.status for p in world.progress] == [ReturnStatus.RECEIVED, ReturnStatus.INSPECTED]
