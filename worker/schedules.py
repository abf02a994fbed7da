"""Schedules the worker makes sure exist when it starts: the nightly reconciliation. Created once; a
worker starting again (or a second worker) finds it and leaves it as it is (ops may have paused it)."""

import logging

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)

from domain import ids
from workflows.reconciliation import ReconciliationWorkflow

log = logging.getLogger("oms.worker")
NIGHTLY = "0 3 * * *"  # 03:00 UTC, when the stores are closed and the feed is quiet


def nightly_reconciliation(task_queue: str, cron: str = NIGHTLY) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ReconciliationWorkflow.run, id=ids.RECONCILIATION_WORKFLOW_ID, task_queue=task_queue
        ),
        spec=ScheduleSpec(cron_expressions=[cron]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_schedules(client: Client, task_queue: str) -> bool:
    """Create the nightly reconciliation's Schedule unless it exists; True when this call created it."""
    try:
        await client.create_schedule(ids.RECONCILIATION_SCHEDULE_ID, nightly_reconciliation(task_queue))
    except ScheduleAlreadyRunningError:
        return False
    log.info("created the %s schedule (%s UTC)", ids.RECONCILIATION_SCHEDULE_ID, NIGHTLY)
    return True
