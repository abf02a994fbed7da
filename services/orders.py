"""Talking to order workflows: intake with update-with-start, store and support actions as updates."""

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from adapters.db import orders
from api.errors import ApiError, from_update_failure, not_found
from domain import ids
from domain.order_state import OrderView
from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import OrderPlacement, TimelineEntry
from workflows.contracts import IntakeConfirmation, IntakeResult, OrderInput


@dataclass(frozen=True)
class IntakeAnswer:
    """201 created, 200 a repeat of an order we have, 202 accepted while no worker answered in time."""

    status_code: int
    order_id: str
    order: OrderView | None


def _start_operation(
    placement: OrderPlacement, policy: OrderPolicy, task_queue: str
) -> WithStartWorkflowOperation:
    return WithStartWorkflowOperation(
        ids.WORKFLOW_ORDER,
        OrderInput(placement=placement, policy=policy),
        id=placement.order_id,
        task_queue=task_queue,
        # A repeat joins the running order; an order that already ended is never started again.
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(ids.SA_ORDER_STATUS, OrderStatus.RECEIVED.value),
                SearchAttributePair(ids.SA_STORE_ID, placement.store_id),
                SearchAttributePair(ids.SA_CHANNEL, placement.channel),
            ]
        ),
        static_summary=(
            f"{placement.channel} order {placement.channel_order_id}, pickup at {placement.store_id}"
        ),
        result_type=OrderView,
    )


async def place_order(
    client: Client,
    engine: AsyncEngine,
    placement: OrderPlacement,
    policy: OrderPolicy,
    task_queue: str,
    wait: timedelta,
) -> IntakeAnswer:
    """Start the order and wait, bounded, for its reservation; the order goes on whatever the wait."""
    operation = _start_operation(placement, policy, task_queue)
    order_id = placement.order_id
    try:
        result: IntakeResult = await client.execute_update_with_start_workflow(
            ids.UPDATE_CONFIRM_INTAKE,
            IntakeConfirmation(fingerprint=placement.fingerprint()),
            start_workflow_operation=operation,
            result_type=IntakeResult,
            rpc_timeout=wait,
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        with contextlib.suppress(Exception):  # consume the operation's own copy of the timeout
            await asyncio.wait_for(operation.workflow_handle(), timeout=0.1)
        if await _order_started(client, order_id):
            return IntakeAnswer(202, order_id, None)
        raise ApiError(
            503, "temporal_unavailable", "the order could not be started; retry the request"
        ) from None
    except WorkflowAlreadyStartedError:
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await operation.workflow_handle()  # consume the operation's own copy of the error
        return await _ended_order(client, engine, placement)
    except WorkflowUpdateFailedError as failure:
        raise from_update_failure(failure) from None
    except RPCError:
        # The workflow could not answer (e.g. its task fails until a fix is deployed): if the start
        # landed, the order is durable and proceeds once workflows run again.
        if await _order_started(client, order_id):
            return IntakeAnswer(202, order_id, None)
        raise ApiError(
            503, "temporal_unavailable", "the order could not be started; retry the request"
        ) from None
    return _answer(result.order, created=result.created)


def _answer(order: OrderView, *, created: bool) -> IntakeAnswer:
    if order.status is OrderStatus.REJECTED:
        closed = not order.missing  # refused before any stock was checked: the store takes no orders
        raise ApiError(
            409,
            "store_closed" if closed else "insufficient_stock",
            "the pickup store takes no new orders (closed or frozen); nothing was reserved"
            if closed
            else "the pickup store cannot fill every line; nothing was reserved",
            order_id=order.order_id,
            missing=[line.model_dump() for line in order.missing],
            alternatives=[
                store.model_dump(mode="json", include={"store_id", "distance_km", "ready_by", "ready_today"})
                for store in order.alternatives
            ],
        )
    return IntakeAnswer(201 if created else 200, order.order_id, order)


async def _ended_order(client: Client, engine: AsyncEngine, placement: OrderPlacement) -> IntakeAnswer:
    """A repeat of an order whose workflow has ended: answer from what it recorded."""
    async with engine.connect() as conn:
        order = await orders.get(conn, placement.order_id)
    if order is None:
        order = await client.get_workflow_handle(placement.order_id, result_type=OrderView).result()
    if order.placement.fingerprint() != placement.fingerprint():
        raise ApiError(
            409, "channel_order_conflict", "this channel order id was already used for a different order"
        )
    return _answer(order, created=False)


async def _order_started(client: Client, order_id: str) -> bool:
    try:
        await client.get_workflow_handle(order_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def find_order(client: Client, engine: AsyncEngine, order_id: str) -> OrderView:
    """The order as recorded, or as placed while it waits for a worker; 404 when unknown."""
    async with engine.connect() as conn:
        order = await orders.get(conn, order_id)
    order = order or await _placed_order(client, order_id)
    if order is None:
        raise not_found("order", order_id)
    return order


async def _placed_order(client: Client, order_id: str) -> OrderView | None:
    """An order accepted with 202 has no record yet: read it from its workflow's start event."""
    try:
        async for event in client.get_workflow_handle(order_id).fetch_history_events():
            started = event.workflow_execution_started_event_attributes
            if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                return None
            [order_input] = await client.data_converter.decode(started.input.payloads, [OrderInput])
            placement = order_input.placement
            at = event.event_time.ToDatetime(tzinfo=UTC)
            return OrderView(
                order_id=order_id,
                placement=placement,
                status=OrderStatus.RECEIVED,
                timeline=[
                    TimelineEntry(at=at, status=OrderStatus.RECEIVED, actor=f"channel:{placement.channel}")
                ],
            )
    except RPCError as error:
        if error.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
            return None
        raise
    return None


async def update_order(
    client: Client,
    order: OrderView,
    update: str,
    request: BaseModel,
    wait: timedelta,
    result_type: type = OrderView,
) -> Any:
    """Ask the order's workflow to take a step; refused steps come back as 409 or 422."""
    handle = client.get_workflow_handle(order.order_id)
    try:
        return await handle.execute_update(update, request, result_type=result_type, rpc_timeout=wait)
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise ApiError(
            503, "order_busy", "the order did not answer in time (no worker available?); retry the request"
        ) from None
    except WorkflowUpdateFailedError as failure:
        raise from_update_failure(failure) from None
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:  # the workflow has ended
            raise ApiError(
                409,
                "transition_not_allowed",
                f"order is {order.status.value}",
                current_status=order.status.value,
            ) from None
        raise
