"""Order events to the channels: ops subscribe a channel's URL, a delivery workflow per subscription drains
its outbox in order per order, retried with waits growing, then dead-lettered; ops replay a dead one."""

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError

from adapters.db import event_delivery
from adapters.db.event_delivery import LETTER_CHANNEL_PREFIX, Delivery, Subscription
from adapters.event_sender import EventSender
from domain import ids
from domain.event_delivery import DeliveryPolicy
from services.errors import NotFound, TemporalUnavailable
from workflows.event_delivery import EventDeliveryWorkflow

BATCH = 100  # orders looked at per pass: a pass of slow receivers stays within the pump's time


async def subscribe(
    client: Client,
    engine: AsyncEngine,
    task_queue: str,
    channel: str,
    url: str,
    secret: str,
    event_types: list[str],
) -> Subscription:
    """Recorded, then its delivery workflow started; nothing is kept when Temporal cannot start it."""
    subscription_id = f"sub-{uuid.uuid4().hex[:24]}"
    async with engine.begin() as conn:
        subscription = await event_delivery.add_subscription(
            conn, subscription_id, channel, url, secret, sorted(set(event_types))
        )
    try:
        await start_delivery(client, task_queue, subscription_id)
    except RPCError:
        async with engine.begin() as conn:
            await event_delivery.remove_subscription(conn, subscription_id)
        raise TemporalUnavailable("the subscription could not be started; retry the request") from None
    return subscription


async def start_delivery(client: Client, task_queue: str, subscription_id: str) -> None:
    """The subscription's delivery workflow, once (a repeat finds it running)."""
    await client.start_workflow(
        EventDeliveryWorkflow.run,
        subscription_id,
        id=ids.event_delivery_workflow_id(subscription_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        static_summary=f"order events to subscription {subscription_id}",
    )


async def resume_deliveries(client: Client, engine: AsyncEngine, task_queue: str) -> int:
    """Every subscription's delivery workflow running (the worker calls it at start: a workflow ended by
    hand in the Temporal UI comes back); how many subscriptions there are."""
    every = await subscriptions(engine)
    for found in every:
        await start_delivery(client, task_queue, found.id)
    return len(every)


async def subscriptions(engine: AsyncEngine, channel: str | None = None) -> list[Subscription]:
    async with engine.connect() as conn:
        return await event_delivery.subscriptions(conn, channel)


async def subscription(engine: AsyncEngine, subscription_id: str) -> Subscription:
    async with engine.connect() as conn:
        found = await event_delivery.subscription(conn, subscription_id)
    if found is None:
        raise NotFound("subscription", subscription_id)
    return found


async def unsubscribe(engine: AsyncEngine, subscription_id: str) -> None:
    """Deleted with its open deliveries; its workflow ends on its next pass."""
    async with engine.begin() as conn:
        if not await event_delivery.remove_subscription(conn, subscription_id):
            raise NotFound("subscription", subscription_id)


class Pass(BaseModel):
    """One pass over a subscription: events delivered, attempts failed, dead-lettered; when the next
    retry is due; `gone` once the subscription was deleted."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    next_due: datetime | None = None
    gone: bool = False


async def deliver_due(
    engine: AsyncEngine,
    sender: EventSender,
    policy: DeliveryPolicy,
    subscription_id: str,
    tick: Callable[[], None] = lambda: None,
) -> Pass:
    """Every order whose oldest undelivered event is due, its events one after the other until one fails;
    orders side by side (one failing order does not hold the others)."""
    async with engine.connect() as conn:
        found = await event_delivery.subscription(conn, subscription_id)
        if found is None:
            return Pass(gone=True)
        due = await event_delivery.due_orders(conn, subscription_id, datetime.now(UTC), BATCH)
    outcome, room = Pass(), asyncio.Semaphore(policy.parallel_orders)

    async def drain(order_id: str) -> None:
        async with room:
            await _drain_order(engine, sender, policy, found, order_id, outcome, tick)

    # Every order's drain ends before the pass does, even when one fails: no send may outlive the pump
    # (the next pump would deliver that order too, out of order).
    failures = [error for error in await asyncio.gather(*map(drain, due), return_exceptions=True) if error]
    if failures:
        raise failures[0]
    async with engine.connect() as conn:
        outcome.next_due = await event_delivery.next_due(conn, subscription_id)
    return outcome


async def _drain_order(
    engine: AsyncEngine,
    sender: EventSender,
    policy: DeliveryPolicy,
    subscription: Subscription,
    order_id: str,
    outcome: Pass,
    tick: Callable[[], None],
) -> None:
    while True:
        async with engine.connect() as conn:
            delivery = await event_delivery.head(conn, subscription.id, order_id)
        now = datetime.now(UTC)
        if delivery is None or delivery.status != event_delivery.PENDING or delivery.next_attempt_at > now:
            return
        # Sent outside a transaction: a slow receiver holds no database connection. One pump per
        # subscription runs at a time (its lease), so nothing else moves this order meanwhile.
        result = await sender.send(
            subscription.url, subscription.secret, delivery.event_id, delivery.body["type"], _body(delivery)
        )
        tick()
        async with engine.begin() as conn:
            if result.delivered:
                await event_delivery.delivered(conn, subscription.id, delivery.event_id)
                outcome.delivered += 1
                continue
            error, now = result.error or "not delivered", datetime.now(UTC)
            if policy.gives_up(delivery.first_failed_at or now, now):
                await event_delivery.dead(conn, subscription.id, delivery, error)
                outcome.dead += 1
            else:
                retry_at = policy.next_attempt(delivery.attempts + 1, now)
                await event_delivery.failed(conn, subscription.id, delivery, error, retry_at, now)
                outcome.failed += 1
        return


async def claim_pump(engine: AsyncEngine, subscription_id: str, owner: str, lease: timedelta) -> bool | None:
    """One pump per subscription at a time: True when `owner` may deliver (for `lease`, renewed as it
    goes), False when another pump does, None when the subscription is gone."""
    async with engine.begin() as conn:
        return await event_delivery.claim_pump(conn, subscription_id, owner, lease)


async def release_pump(engine: AsyncEngine, subscription_id: str, owner: str) -> None:
    async with engine.begin() as conn:
        await event_delivery.release_pump(conn, subscription_id, owner)


def _body(delivery: Delivery) -> bytes:
    """The event as recorded, the same bytes on every attempt."""
    return json.dumps(delivery.body, separators=(",", ":"), sort_keys=True).encode()


def is_event_letter(channel: str) -> bool:
    return channel.startswith(LETTER_CHANNEL_PREFIX)


async def replay_dead_delivery(engine: AsyncEngine, dead_letter_id: int) -> str:
    """A dead event delivery pending again (the order's later events follow it); the order's id."""
    async with engine.begin() as conn:
        order_id = await event_delivery.requeue(conn, dead_letter_id)
    if order_id is None:
        raise NotFound("dead_letter", str(dead_letter_id))
    return order_id


def wait_before_next_pass(outcome: Pass, idle: timedelta) -> timedelta:
    """Until the next retry is due, but never longer than `idle` (new events are looked for then)."""
    if outcome.next_due is None:
        return idle
    return max(timedelta(0), min(idle, outcome.next_due - datetime.now(UTC)))
