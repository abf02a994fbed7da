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

# Failures retries never heal. The activities raise them non-retryable already; named here too, so that
# one surfacing as a plain exception (a DataError) fails its step for good at once as well.
DETERMINISTIC_FAILURES = [
    "PaymentConflict",
    "PaymentUnrecordable",
    "DataRefused",
    "UnknownStore",
    "DataError",
    "IntegrityError",
]

DATABASE_STEP_TIMEOUT = timedelta(seconds=30)
# A database step is retried while a restart or a failover may heal it: waits doubling from 0.2 s up to
# a minute, 60 attempts in all, about 50 minutes. That outlasts any restart or failover (seconds to a
# few minutes) many times over, and a longer outage needs a person anyway: the step then fails for good
# and the order is parked with a support alert (workflows/order/context.py), the same hour.
DATABASE_RETRY_INTERVAL = timedelta(minutes=1)
DATABASE_ATTEMPTS = 60
DATABASE_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=DATABASE_RETRY_INTERVAL,
    maximum_attempts=DATABASE_ATTEMPTS,
    non_retryable_error_types=DETERMINISTIC_FAILURES,
)
# Retries that back off longer than this wait on a durable timer instead of in the worker.
LOCAL_RETRY_BACKOFF = timedelta(seconds=5)
NOTIFICATION_TIMEOUT = timedelta(minutes=2)
# Providers go down for hours: waits doubling from 1 s up to 5 minutes, 300 attempts, about a day. A
# message that still fails is given up (support is alerted); the order goes on.
NOTIFICATION_RETRY_INTERVAL = timedelta(minutes=5)
NOTIFICATION_ATTEMPTS = 300
NOTIFICATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=NOTIFICATION_RETRY_INTERVAL,
    maximum_attempts=NOTIFICATION_ATTEMPTS,
)


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
