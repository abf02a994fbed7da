"""How workflows call activities: typed (the interfaces in workflows/activities.py), with the timeouts and
retry policies named once."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import cache
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError
from temporalio.exceptions import TimeoutError as ActivityTimeout

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from workflows.activities import activity_name

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

# What a step that failed for good raises in the workflow (retries exhausted or a non-retryable error).
FAILED_FOR_GOOD = (ActivityError, ApplicationError, ActivityTimeout)

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
# The channel's API (Shopify) throttles and goes down: waits doubling from 2 s up to 10 minutes, 200
# attempts, about a day and a half. Refusals retries never heal (a revoked token, an order Shopify does
# not know, a change it refuses) are raised non-retryable by the activity: the report is given up and
# support alerted at once.
CHANNEL_TIMEOUT = timedelta(minutes=2)
CHANNEL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=200,
    non_retryable_error_types=["ChannelAuthRefused", "ChannelRefused", "ChannelOrderUnknown"],
)

# What the Temporal UI's timeline calls each step (the activity's summary) instead of its bare name.
# Summaries are user metadata, not commands: adding or changing one replays (tests/test_replay.py). They
# are encrypted like every payload (the UI reads them through the codec): never put customer data here.
STEP_SUMMARIES: dict[str, str] = {
    ids.ACTIVITY_RESERVE_STOCK: "reserve the stock",
    ids.ACTIVITY_RELEASE_STOCK: "release the stock",
    ids.ACTIVITY_RELEASE_LINES: "release lines",
    ids.ACTIVITY_WRITE_OFF_STOCK: "write off missing stock",
    ids.ACTIVITY_COMMIT_STOCK: "stock leaves the store",
    ids.ACTIVITY_AUTHORIZE_PAYMENT: "authorise the payment",
    ids.ACTIVITY_CAPTURE_PAYMENT: "capture the payment",
    ids.ACTIVITY_VOID_PAYMENT: "void the payment",
    ids.ACTIVITY_REFUND_PAYMENT: "refund",
    ids.ACTIVITY_LOAD_STORE: "load the store",
    ids.ACTIVITY_RECORD_ORDER: "record the order",
    ids.ACTIVITY_RAISE_SUPPORT_ALERT: "alert support",
    ids.ACTIVITY_RESOLVE_SUPPORT_ALERT: "resolve the support alert",
    ids.ACTIVITY_RESERVE_ORDER: "reserve the order",
    ids.ACTIVITY_SETTLE_COLLECTION: "settle the collection",
    ids.ACTIVITY_SETTLE_COMPENSATION: "release and void (compensation)",
    ids.ACTIVITY_SETTLE_DROPPED_LINES: "settle dropped lines",
    ids.ACTIVITY_LEAVE_STORE: "leave the store",
    ids.ACTIVITY_SETTLE_SHIPMENT: "settle the shipment",
    ids.ACTIVITY_RECORD_PICKUP_UNLOCKED: "unlock the pickup",
    ids.ACTIVITY_RECORD_AND_TELL: "record the order",
    ids.ACTIVITY_FIND_STORES: "find stores",
    ids.ACTIVITY_QUOTE_CARRIERS: "quote carriers",
    ids.ACTIVITY_BOOK_SHIPMENT: "book the shipment",
    ids.ACTIVITY_NOTIFY_CUSTOMER: "tell the customer",
    ids.ACTIVITY_REMIND_STORE: "remind the store",
    ids.ACTIVITY_CHANNEL_READY: "tell the channel: ready for pickup",
    ids.ACTIVITY_CHANNEL_COLLECTED: "tell the channel: collected",
    ids.ACTIVITY_CHANNEL_ENDED: "tell the channel: cancelled or expired",
}


@cache
def summary_of(step: object) -> str | None:
    """The step's name in the Temporal UI (looked up once per step: the SDK's lookup of an activity's
    definition showed in the worker's profile)."""
    return STEP_SUMMARIES.get(activity_name(step) or "")


async def database(
    step: Callable[[Steps, Arg], Awaitable[Result]],
    arg: Arg,
    *,
    local_retry_threshold: timedelta | None = LOCAL_RETRY_BACKOFF,
    summary: str | None = None,
    timeout: timedelta = DATABASE_STEP_TIMEOUT,
) -> Result:
    """A short step on the worker's own database. A local activity spares the server round trips, which
    is what keeps the channel's synchronous intake answer fast. (The delivery workflow keeps Temporal's
    default `local_retry_threshold`: None.) `summary` names it in the UI (by default the step's name);
    `timeout`: a step that also sends a message has a message's (NOTIFICATION_TIMEOUT)."""
    return await workflow.execute_local_activity_method(
        step,
        arg,
        start_to_close_timeout=timeout,
        retry_policy=DATABASE_RETRY,
        local_retry_threshold=local_retry_threshold,
        summary=summary or summary_of(step),
    )


# A message sent within its workflow task retries there once (1 s), then on durable timers: the order's
# other steps are not held behind a provider that is down.
LOCAL_MESSAGE_RETRY_BACKOFF = timedelta(milliseconds=1500)


async def message(
    step: Callable[[Steps, Arg], Awaitable[Result]],
    arg: Arg,
    *,
    summary: str | None = None,
    local: bool = False,
) -> Result:
    """A message to a customer or a store, retried for a day (providers go down); `summary` names it in
    the UI (by default the step's name). `local`: a local activity, sent within the workflow task (no
    task on the server, no workflow task to take its result: for a message the step's answer waits on
    anyway, or one nobody waits on); else a regular activity, which leaves the workflow task, and so an
    answer it carries, free at once."""
    summary = summary or summary_of(step)
    if local:
        return await workflow.execute_local_activity_method(
            step,
            arg,
            start_to_close_timeout=NOTIFICATION_TIMEOUT,
            retry_policy=NOTIFICATION_RETRY,
            local_retry_threshold=LOCAL_MESSAGE_RETRY_BACKOFF,
            summary=summary,
        )
    return await workflow.execute_activity_method(
        step,
        arg,
        start_to_close_timeout=NOTIFICATION_TIMEOUT,
        retry_policy=NOTIFICATION_RETRY,
        summary=summary,
    )


async def channel(step: Callable[[Steps, Arg], Awaitable[Result]], arg: Arg) -> Result:
    """A report to the order's channel: a regular activity (an HTTP API that throttles), retried long."""
    return await workflow.execute_activity_method(
        step,
        arg,
        start_to_close_timeout=CHANNEL_TIMEOUT,
        retry_policy=CHANNEL_RETRY,
        summary=summary_of(step),
    )


def cause_of(failure: BaseException | None) -> str:
    """Why a step failed, as support reads it: the last error's type and message."""
    cause = failure
    while isinstance(cause, (ActivityError, ChildWorkflowError)) and cause.cause:
        cause = cause.cause
    if isinstance(cause, ApplicationError):
        return f"{cause.type}: {cause.message}" if cause.type else cause.message
    return str(cause)
