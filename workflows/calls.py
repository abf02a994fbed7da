"""How workflows call activities: typed (the interfaces in workflows/activities.py), with the timeouts and
retry policies named once."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

Steps = TypeVar("Steps")
Arg = TypeVar("Arg")
Result = TypeVar("Result")

DATABASE_STEP_TIMEOUT = timedelta(seconds=30)
DATABASE_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=30)
)
# Retries that back off longer than this wait on a durable timer instead of in the worker.
LOCAL_RETRY_BACKOFF = timedelta(seconds=5)
NOTIFICATION_TIMEOUT = timedelta(minutes=2)
NOTIFICATION_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5))


async def database(
    step: Callable[[Steps, Arg], Awaitable[Result]],
    arg: Arg,
    *,
    local_retry_threshold: timedelta | None = LOCAL_RETRY_BACKOFF,
) -> Result:
    """A short step on the worker's own database. A local activity spares the server round trips, which
    is what keeps the channel's synchronous intake answer fast. (The delivery workflow keeps Temporal's
    default `local_retry_threshold`: None.)"""
    return await workflow.execute_local_activity_method(
        step,
        arg,
        start_to_close_timeout=DATABASE_STEP_TIMEOUT,
        retry_policy=DATABASE_RETRY,
        local_retry_threshold=local_retry_threshold,
    )


async def message(step: Callable[[Steps, Arg], Awaitable[Result]], arg: Arg) -> Result:
    """A message to a customer or a store: a regular activity, retried for minutes (providers go down)."""
    return await workflow.execute_activity_method(
        step, arg, start_to_close_timeout=NOTIFICATION_TIMEOUT, retry_policy=NOTIFICATION_RETRY
    )
