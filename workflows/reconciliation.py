"""The nightly reconciliation, run by a Temporal Schedule (worker/schedules.py): one activity, its
report as the workflow's result (readable in the Temporal UI)."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.reconciliation import ReconciliationReport
    from workflows.activities import ReconciliationSteps

RECONCILE_TIMEOUT = timedelta(minutes=10)
RECONCILE_RETRIES = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=5)


@workflow.defn(name=ids.WORKFLOW_RECONCILIATION)
class ReconciliationWorkflow:
    @workflow.run
    async def run(self) -> ReconciliationReport:
        return await workflow.execute_activity_method(
            ReconciliationSteps.reconcile,
            workflow.now(),
            start_to_close_timeout=RECONCILE_TIMEOUT,
            retry_policy=RECONCILE_RETRIES,
            summary="reconcile stock, reservations and messages",
        )
