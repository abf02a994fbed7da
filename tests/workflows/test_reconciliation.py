"""The reconciliation workflow runs its one activity with the workflow's time and answers its report."""

import uuid

from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.reconciliation import ReconciliationReport
from tests.workflows.fakes import FakeSystems
from workflows.reconciliation import ReconciliationWorkflow


async def test_the_reconciliation_reports_what_its_activity_found(time_skipping: WorkflowEnvironment) -> None:
    fakes, queue = FakeSystems(), f"tq-{uuid.uuid4()}"
    async with Worker(
        time_skipping.client,
        task_queue=queue,
        workflows=[ReconciliationWorkflow],
        activities=fakes.activities(),
    ):
        report = await time_skipping.client.execute_workflow(
            ReconciliationWorkflow.run, id=f"reconciliation-{uuid.uuid4()}", task_queue=queue
        )
    assert isinstance(report, ReconciliationReport) and report.clean
    assert fakes.reconciled_at == [report.checked_at]
