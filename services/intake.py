"""Taking an order from any channel: start its workflow with the reservation decided in the same call
(update-with-start). A payload that cannot become an order is kept as a dead letter (with every reason)
for ops to replay once the cause is fixed (a mapping, a missing store)."""

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
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
from temporalio.service import RPCError

from adapters.channels import FieldError, PayloadRejected
from adapters.db import dead_letters, orders, single_statements, support
from adapters.outages import TEMPORAL_UNAVAILABLE
from config.settings import Settings
from domain import ids
from domain.channel_rules import ChannelRules, rules_for
from domain.dead_letter_causes import cause_of, group_id
from domain.order_state import OrderView
from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import OrderPlacement, StoreProfile
from services.baskets import check_basket, reachable_placement
from services.errors import (
    ChannelOrderConflict,
    DeadLettered,
    InsufficientStock,
    InvalidField,
    NotFound,
    ServiceError,
    StoreClosed,
    TemporalUnavailable,
)
from services.orders import order_started, refusal
from workflows.contracts import IntakeConfirmation, IntakeResult, OrderInput, SupportAlert

CANONICAL = "canonical"
MIN_START_WAIT = timedelta(seconds=1)
"""Time left to start the order even when the basket check took the whole intake wait."""
STARTED_CHECK_WAIT = timedelta(seconds=1)
"""After a failed start, how long to look whether it landed anyway (the margin over the intake wait)."""


@dataclass(frozen=True)
class IntakeAnswer:
    """201 created, 200 a repeat of an order we have, 202 accepted while no worker answered in time."""

    status_code: int
    order_id: str
    order: OrderView | None


def canonical(payload: Any) -> OrderPlacement:
    """Our own JSON (POST /v1/orders)."""
    if isinstance(payload, dict) and payload.get("channel_reference") is not None:
        reserved = "set by a channel adapter only (Shopify), not accepted in our own JSON"
        raise PayloadRejected([FieldError(["channel_reference"], reserved)])
    try:
        return OrderPlacement.model_validate(payload)
    except ValidationError as invalid:
        raise PayloadRejected([FieldError(list(e["loc"]), e["msg"]) for e in invalid.errors()]) from None


async def take_order(
    client: Client,
    engine: AsyncEngine,
    settings: Settings,
    channel: str,
    payload: Any,
    parse: Callable[[Any], OrderPlacement],
    dead_letter_id: int | None = None,
    rules: ChannelRules | None = None,
) -> IntakeAnswer:
    """Map the channel's payload to an order, check its store, SKUs and contacts (by the channel's
    rules; our own JSON's by its `channel`), then place it; a payload that fails any of it is kept as a
    dead letter (a replayed one is settled either way)."""
    started = time.monotonic()
    try:
        placement = parse(payload)
        rules = rules or rules_for(settings.channel_rules, channel, placement.channel)
        async with single_statements(engine).connect() as conn:  # reads, each right on its own
            store = await check_basket(conn, placement.store_id, [line.sku for line in placement.lines])
            placement = await reachable_placement(conn, placement, rules, store)
    except PayloadRejected as rejected:
        reasons = [{"loc": ["body", *e.loc], "msg": e.msg, "type": "value_error"} for e in rejected.errors]
        raise await dead_letter(engine, channel, payload, reasons, dead_letter_id) from None
    except (NotFound, InvalidField) as refused:  # unknown store or SKU: fixable by ops, so kept too
        raise await dead_letter(
            engine, channel, payload, _reasons(refused), dead_letter_id, refused
        ) from None
    # The intake wait bounds the whole request: the basket check's time comes out of it.
    waited = timedelta(seconds=time.monotonic() - started)
    wait = max(settings.intake_wait - waited, MIN_START_WAIT)
    answer = await place_order(client, engine, placement, settings.policy, settings.task_queue, wait, store)
    note = placement.customer.contact_note  # support sees why the customer gets no SMS
    if dead_letter_id is None and not note:
        return answer
    async with engine.begin() as conn:
        if dead_letter_id is not None:
            await dead_letters.settle(conn, dead_letter_id, order_id=answer.order_id, reasons=None)
        if note:
            key = f"{answer.order_id}:contact"
            alert = SupportAlert(order_id=answer.order_id, kind="contact_unusable", detail=note, key=key)
            await support.raise_alert(conn, alert)
    return answer


def _reasons(refused: NotFound | InvalidField) -> list[dict[str, Any]]:
    if isinstance(refused, InvalidField):
        return [{"loc": ["body", *refused.field], "msg": refused.message, "type": "value_error"}]
    return [{"loc": ["body", "store_id"], "msg": str(refused)}]


async def dead_letter(
    engine: AsyncEngine,
    channel: str,
    payload: Any,
    reasons: list[dict[str, Any]],
    dead_letter_id: int | None = None,
    refused: ServiceError | None = None,
) -> DeadLettered:
    """Keep the payload (or update a replayed one's reasons); a cause never seen before raises an ops
    alert, once; the error names every bad field."""
    async with engine.begin() as conn:
        if dead_letter_id is None:
            dead_letter_id = await dead_letters.keep(conn, channel, payload, reasons)
        else:
            await dead_letters.settle(conn, dead_letter_id, order_id=None, reasons=reasons)
        for cause in dict.fromkeys(cause_of(reason) for reason in reasons):
            key = group_id(channel, cause)
            detail = f"new intake failure on {channel}: {cause.field or 'body'}: {cause.reason} (group {key})"
            alert = SupportAlert(
                order_id=f"dead-letter-{dead_letter_id}",
                kind="new_intake_failure",
                detail=detail[:1000],
                key=f"dead-letter-cause:{key}",
            )
            await support.raise_alert(conn, alert)
    return DeadLettered(dead_letter_id, reasons, refused)


def _start_operation(
    placement: OrderPlacement, policy: OrderPolicy, task_queue: str, store: StoreProfile | None = None
) -> WithStartWorkflowOperation[Any, OrderView]:
    return WithStartWorkflowOperation(
        ids.WORKFLOW_ORDER,
        OrderInput(placement=placement, policy=policy, store=store),
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
                # As the order's first task would set them: it then upserts nothing before reserving.
                SearchAttributePair(ids.SA_STOCK_AT_RISK, False),
                SearchAttributePair(ids.SA_SLA_AT_RISK, False),
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
    store: StoreProfile | None = None,
) -> IntakeAnswer:
    """Start the order and wait, bounded, for its reservation; the order goes on whatever the wait.
    `store`: the pickup store as the door checked it, handed to the workflow."""
    operation = _start_operation(placement, policy, task_queue, store)
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
        await _retrieve_failure(operation)
        return await _accepted_if_started(client, order_id)
    except WorkflowAlreadyStartedError:
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await operation.workflow_handle()  # consume the operation's own copy of the error
        return await _ended_order(client, engine, placement)
    except WorkflowUpdateFailedError as failure:
        raise refusal(failure) from None
    except RPCError:
        await _retrieve_failure(operation)
        # The workflow could not answer (e.g. its task fails until a fix is deployed) or Temporal cannot
        # be reached: if the start landed, the order is durable and proceeds once workflows run again.
        return await _accepted_if_started(client, order_id)
    except Exception:  # e.g. a client that never reached Temporal: answered 503 by the API
        await _retrieve_failure(operation)
        raise
    return answer_for(result.order, created=result.created)


async def _retrieve_failure(operation: WithStartWorkflowOperation[Any, OrderView]) -> None:
    """Consume the operation's own copy of a failure, which asyncio would otherwise report as "Future
    exception was never retrieved"."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(operation.workflow_handle(), timeout=0.1)


async def _accepted_if_started(client: Client, order_id: str) -> IntakeAnswer:
    try:
        started = await order_started(client, order_id, STARTED_CHECK_WAIT)
    except RPCError as error:
        if error.status not in TEMPORAL_UNAVAILABLE:
            raise
        started = False
    if started:
        return IntakeAnswer(202, order_id, None)
    raise TemporalUnavailable() from None


def answer_for(order: OrderView, *, created: bool) -> IntakeAnswer:
    """A rejected order is refused with what was missing and where else the basket can be served."""
    if order.status is OrderStatus.REJECTED:
        if not order.missing:  # refused before any stock was checked: the store takes no orders
            raise StoreClosed(order.order_id, order.alternatives)
        raise InsufficientStock(order.order_id, order.missing, order.alternatives)
    return IntakeAnswer(201 if created else 200, order.order_id, order)


async def _ended_order(client: Client, engine: AsyncEngine, placement: OrderPlacement) -> IntakeAnswer:
    """A repeat of an order whose workflow has ended: answer from what it recorded."""
    async with engine.connect() as conn:
        order = await orders.get(conn, placement.order_id)
    if order is None:
        order = await client.get_workflow_handle(placement.order_id, result_type=OrderView).result()
    if order.placement.fingerprint() != placement.fingerprint():
        raise ChannelOrderConflict(placement.order_id)
    return answer_for(order, created=False)
