"""The delivery workflow keeps its subscription's pump running until the subscription is gone, continuing
as new so its history stays short."""

import uuid

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.workflows.fakes import FakeSystems
from workflows import event_delivery
from workflows.event_delivery import EventDeliveryWorkflow


async def test_the_pump_runs_again_until_the_subscription_is_deleted(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes, queue = FakeSystems(), f"tq-{uuid.uuid4()}"
    fakes.pumps_until_gone = 4
    async with Worker(
        time_skipping.client,
        task_queue=queue,
        workflows=[EventDeliveryWorkflow],
        activities=fakes.activities(),
    ):
        await time_skipping.client.execute_workflow(
            EventDeliveryWorkflow.run, "sub-1", id=f"events-{uuid.uuid4()}", task_queue=queue
        )
    assert fakes.pumps == ["sub-1"] * 4


async def test_a_long_running_subscription_continues_as_new(time_skipping: WorkflowEnvironment) -> None:
    fakes, queue = FakeSystems(), f"tq-{uuid.uuid4()}"
    fakes.pumps_until_gone = event_delivery.PUMPS_PER_RUN + 2
    workflow_id = f"events-{uuid.uuid4()}"
    async with Worker(
        time_skipping.client,
        task_queue=queue,
        workflows=[EventDeliveryWorkflow],
        activities=fakes.activities(),
    ):
        handle = await time_skipping.client.start_workflow(
            EventDeliveryWorkflow.run, "sub-2", id=workflow_id, task_queue=queue
        )
        await handle.result()  # follows the continue-as-new chain to the run that ended
        first = time_skipping.client.get_workflow_handle(workflow_id, run_id=handle.first_execution_run_id)
        assert (await first.describe()).status is WorkflowExecutionStatus.CONTINUED_AS_NEW
    assert len(fakes.pumps) == event_delivery.PUMPS_PER_RUN + 2
