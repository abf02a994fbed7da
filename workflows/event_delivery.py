"""One workflow per subscription keeps its pump running: the pump activity drains the subscription's
outbox for a minute at a time (delivery state, retries and dead letters live in the database, written
with each attempt), the workflow runs it again, and continues as new before its history grows long.
A crashed worker's pump stops heartbeating and Temporal runs it on another worker."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from workflows.activities import EventDeliverySteps

PUMP_TIMEOUT = timedelta(minutes=5)  # one pump runs about a minute (activities/event_delivery.py)
PUMP_HEARTBEAT = timedelta(seconds=30)
# A pump that fails (database down, another pump still holding the subscription) is run again, forever:
# the events wait in the outbox meanwhile.
PUMP_RETRIES = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=1)
)
PUMPS_PER_RUN = 100  # then continue as new: about 700 history events


@workflow.defn(name=ids.WORKFLOW_EVENT_DELIVERY)
class EventDeliveryWorkflow:
    @workflow.run
    async def run(self, subscription_id: str) -> None:
        for _ in range(PUMPS_PER_RUN):
            gone = await workflow.execute_activity_method(
                EventDeliverySteps.pump,
                subscription_id,
                start_to_close_timeout=PUMP_TIMEOUT,
                heartbeat_timeout=PUMP_HEARTBEAT,
                retry_policy=PUMP_RETRIES,
                summary="deliver due events",
            )
            if gone:
                return  # the subscription was deleted
        workflow.continue_as_new(subscription_id)
