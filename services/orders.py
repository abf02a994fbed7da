"""What stores, support and customers do with an order: find it, then ask its workflow to take a step
(an update). Each use case is one function; every entry point calls the same one."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from adapters.db import orders, outbox, single_statements
from adapters.db.outbox import OutboxMessage
from adapters.outages import first_line, temporal_unavailable
from domain import ids
from domain.access import Grant, Role
from domain.commands import (
    Cancellation,
    Collection,
    CollectorNaming,
    CustomerCheckIn,
    CustomerChoice,
    PickReport,
    ReadyReport,
    ResendRequest,
    ShortPick,
    StoreAcceptance,
    StoreRejection,
    SupportAction,
)
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import TimelineEntry
from services.errors import Forbidden, NotFound, OrderBusy, OrderEnded, StepRefused
from workflows.contracts import OrderInput

T = TypeVar("T")
log = logging.getLogger("oms.orders")


@dataclass(frozen=True)
class OrderDesk:
    """What the order use cases work with: the order workflows, the read model, and how long a step may
    wait for its workflow's answer."""

    client: Client
    engine: AsyncEngine
    wait: timedelta

    @cached_property
    def reads(self) -> AsyncEngine:
        """For the reads of one statement (`single_statements`): no BEGIN and ROLLBACK around them."""
        return single_statements(self.engine)


async def find_order(desk: OrderDesk, order_id: str) -> OrderView:
    """The order as recorded, or as placed while it waits for a worker."""
    async with desk.reads.connect() as conn:
        order = await orders.get(conn, order_id)
    order = order or await _placed_order(desk.client, order_id)
    if order is None:
        raise NotFound("order", order_id)
    return order


async def find_ref(desk: OrderDesk, order_id: str) -> orders.OrderRef:
    """Where the order is (store, status), as `find_order` finds it, without reading its whole view."""
    async with desk.reads.connect() as conn:
        ref = await orders.get_ref(conn, order_id)
    if ref is not None:
        return ref
    placed = await _placed_order(desk.client, order_id)
    if placed is None:
        raise NotFound("order", order_id)
    return orders.OrderRef.of(placed)


async def accept(
    desk: OrderDesk, caller: Grant, store_id: str, order_id: str, acceptance: StoreAcceptance
) -> OrderView:
    """The store takes the order on."""
    return await _store_step(desk, caller, store_id, order_id, ids.UPDATE_ACCEPT, acceptance)


async def pick(desk: OrderDesk, caller: Grant, store_id: str, order_id: str, report: PickReport) -> OrderView:
    """The quantities the store picked per line."""
    return await _store_step(desk, caller, store_id, order_id, ids.UPDATE_PICK, report)


async def mark_ready(
    desk: OrderDesk, caller: Grant, store_id: str, order_id: str, report: ReadyReport
) -> OrderView:
    """The order is staged for pickup; the customer receives the pickup code."""
    return await _store_step(desk, caller, store_id, order_id, ids.UPDATE_MARK_READY, report)


async def collect(
    desk: OrderDesk, caller: Grant, store_id: str, order_id: str, collection: Collection
) -> OrderView:
    """The customer takes the order against the pickup code."""
    return await _store_step(desk, caller, store_id, order_id, ids.UPDATE_COLLECT, collection)


async def report_short_pick(
    desk: OrderDesk, caller: Grant, store_id: str, order_id: str, report: ShortPick
) -> OrderView:
    """Units could not be picked: the order moves on or the customer is asked."""
    return await _store_step(desk, caller, store_id, order_id, ids.UPDATE_REPORT_SHORT_PICK, report)


async def reject(
    desk: OrderDesk, caller: Grant, store_id: str, order_id: str, rejection: StoreRejection
) -> OrderView:
    """The store cannot prepare the order."""
    return await _store_step(desk, caller, store_id, order_id, ids.UPDATE_REJECT, rejection)


async def cancel(desk: OrderDesk, order_id: str, cancellation: Cancellation) -> OrderView:
    """Support cancels before collection: stock released, payment voided, customer told."""
    order = await find_order(desk, order_id)
    return await _step(desk, order, ids.UPDATE_CANCEL, cancellation, OrderView)


async def unlock_pickup(desk: OrderDesk, order_id: str, action: SupportAction) -> OrderView:
    """Support lets collection go on after too many wrong pickup codes."""
    order = await find_order(desk, order_id)
    return await _step(desk, order, ids.UPDATE_UNLOCK_PICKUP, action, OrderView)


async def choose(desk: OrderDesk, order: OrderView, answer: CustomerChoice) -> OrderView:
    """The customer's answer to a choice request, for an order the caller found (and may see)."""
    return await _step(desk, order, ids.UPDATE_CHOOSE, answer, OrderView)


async def check_in(desk: OrderDesk, order: OrderView, request: CustomerCheckIn) -> OrderView:
    """The customer is on their way or here, for an order the caller found (and may see)."""
    return await _step(desk, order, ids.UPDATE_CHECK_IN, request, OrderView)


async def name_collector(desk: OrderDesk, order: OrderView, naming: CollectorNaming) -> OrderView:
    """Someone else collects the order the caller found (and may see)."""
    return await _step(desk, order, ids.UPDATE_NAME_COLLECTOR, naming, OrderView)


async def notifications(desk: OrderDesk, order_id: str) -> list[OutboxMessage]:
    """What the customer was sent about an order, oldest first."""
    await find_ref(desk, order_id)
    async with desk.reads.connect() as conn:
        return await outbox.for_order(conn, order_id)


async def resend_notification(desk: OrderDesk, order_id: str, request: ResendRequest) -> list[OutboxMessage]:
    """Send the last message of a kind again; the messages of that kind, the new one last."""
    order = await find_order(desk, order_id)
    await _step(desk, order, ids.UPDATE_RESEND_NOTIFICATION, request, int)
    async with desk.engine.connect() as conn:
        return [m for m in await outbox.for_order(conn, order_id) if m.kind == request.kind.value]


async def _store_step(
    desk: OrderDesk, caller: Grant, store_id: str, order_id: str, update: str, request: BaseModel
) -> OrderView:
    """A preparation step on one of the store's orders. Store staff learn that another store's order is
    not theirs; anyone else is told it does not exist here."""
    order = await find_ref(desk, order_id)
    if order.store_id != store_id:
        if caller.role is Role.STORE:
            raise Forbidden("this order belongs to another store")
        raise NotFound("order", order_id)
    return await _step(desk, order, update, request, OrderView)


async def _step(
    desk: OrderDesk, order: OrderView | orders.OrderRef, update: str, request: BaseModel, result_type: type[T]
) -> T:
    """Ask the order's workflow to take a step and wait (bounded) for its answer."""
    handle = desk.client.get_workflow_handle(order.order_id)
    try:
        result: T = await handle.execute_update(
            update, request, result_type=result_type, rpc_timeout=desk.wait
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        await _note_doubt(desk, order.order_id, update, request)
        raise OrderBusy(
            order.order_id, "the order did not answer in time (no worker available?); retry the request"
        ) from None
    except WorkflowUpdateFailedError as failure:
        await catch_up_read_model(desk, order.order_id)
        raise refusal(failure) from None
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:  # the workflow has ended
            raise OrderEnded(order.order_id, order.status.value) from None
        if temporal_unavailable(error):
            await _note_doubt(desk, order.order_id, update, request)
        raise
    return result


LOST_STEP_QUIET = timedelta(seconds=30)
"""How long a read model ahead of its workflow must have been still before it is rolled back: well
beyond a workflow task's timeout (10 s), so a step still completing is never mistaken for a lost one."""


async def _workflow_view(desk: OrderDesk, order_id: str) -> OrderView | None:
    """The order as its workflow holds it; None when it cannot be asked (Temporal or every worker away)."""
    try:
        return await desk.client.get_workflow_handle(order_id).query(
            ids.QUERY_STATE, result_type=OrderView, rpc_timeout=desk.wait
        )
    except (RPCError, WorkflowQueryFailedError, WorkflowQueryRejectedError):
        return None


async def catch_up_read_model(desk: OrderDesk, order_id: str) -> bool:
    """A step can be lost to a Temporal outage after its database transaction committed: the worker's
    workflow task that records it never reached the server, so the update is gone (its caller got a
    503) while the read model says the step happened. When the step is not known (a refused step found
    it), the workflow is the truth: the read model goes back to it, so the store sees the step to do
    again (its database work repeats idempotently, under the same keys). False when the workflow
    could not be asked."""
    truth = await _workflow_view(desk, order_id)
    if truth is None:
        return False
    async with desk.engine.begin() as conn:
        rolled_back = await orders.roll_back_to(conn, truth, datetime.now(UTC) - LOST_STEP_QUIET)
    if rolled_back:
        log.warning("order %s: read model was ahead of its workflow, back to %s", order_id, truth.status)
    return True


async def _note_doubt(desk: OrderDesk, order_id: str, update: str, request: BaseModel) -> None:
    """The step's answer was lost: remember the step, to check it once Temporal answers (best effort:
    a database that is down too leaves it to the next refused step)."""
    try:
        async with desk.engine.begin() as conn:
            await orders.note_doubt(conn, order_id, update, request.model_dump(mode="json"))
    except Exception as error:  # noqa: BLE001 - the caller answers the outage either way
        log.warning("order %s: could not note a step in doubt (%s)", order_id, first_line(error))


async def settle_doubt(desk: OrderDesk, doubt: orders.StepInDoubt) -> bool:
    """A step whose answer was lost: if its database work committed (the read model is ahead of the
    workflow), the step is asked again so the workflow takes it too (what the store did stands: the
    customer left with the order, the read model showed it collected); if the workflow refuses it
    now, the read model goes back to the workflow. Nothing to do when the workflow is not behind.
    False when the workflow could not be asked (Temporal still away)."""
    truth = await _workflow_view(desk, doubt.order_id)
    if truth is None:
        return False
    async with desk.engine.connect() as conn:
        behind = await orders.ahead_of(conn, doubt.order_id, truth.version)
    if behind:
        handle = desk.client.get_workflow_handle(doubt.order_id)
        try:
            await handle.execute_update(doubt.update, doubt.request, rpc_timeout=desk.wait)
            log.warning(
                "order %s: step %s in doubt taken again by its workflow", doubt.order_id, doubt.update
            )
        except WorkflowUpdateFailedError:
            await catch_up_read_model(desk, doubt.order_id)
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError):
            return False
    async with desk.engine.begin() as conn:
        await orders.clear_doubt(conn, doubt.order_id)
    return True


async def settle_doubts(desk: OrderDesk) -> int:
    """Settle the steps whose answer was lost (oldest first); how many were settled. Stops at the
    first that cannot be asked: Temporal is still away."""
    async with desk.engine.connect() as conn:
        waiting = await orders.in_doubt(conn, datetime.now(UTC) - LOST_STEP_QUIET)
    settled = 0
    for doubt in waiting:
        if not await settle_doubt(desk, doubt):
            break
        settled += 1
    return settled


DOUBT_CHECK_INTERVAL = 10.0  # seconds between two looks at the steps in doubt, in each API process


async def keep_settling_doubts(desk: OrderDesk, interval: float = DOUBT_CHECK_INTERVAL) -> None:
    """Run for the API's life: settle the steps in doubt as soon as Temporal answers again."""
    while True:
        await asyncio.sleep(interval)
        try:
            await settle_doubts(desk)
        except Exception as error:  # noqa: BLE001 - PostgreSQL away: the outage is answered elsewhere
            log.debug("steps in doubt not checked: %s", first_line(error))


def refusal(failure: WorkflowUpdateFailedError) -> StepRefused:
    """What the workflow said when it refused an update: its error type, message and details."""
    cause = failure.cause
    if not isinstance(cause, ApplicationError):
        return StepRefused(None, str(cause or failure))
    return StepRefused(cause.type, cause.message, list(cause.details))


async def order_started(client: Client, order_id: str, wait: timedelta | None = None) -> bool:
    """Whether the order's workflow exists (running or ended)."""
    try:
        await client.get_workflow_handle(order_id).describe(rpc_timeout=wait)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def _placed_order(client: Client, order_id: str) -> OrderView | None:
    """An order accepted with 202 has no record yet: read it from its workflow's start event."""
    try:
        async for event in client.get_workflow_handle(order_id).fetch_history_events():
            started = event.workflow_execution_started_event_attributes
            if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                return None
            [order_input] = await client.data_converter.decode(started.input.payloads, [OrderInput])
            return _as_placed(order_id, order_input, event.event_time.ToDatetime(tzinfo=UTC))
    except RPCError as error:
        if error.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
            return None
        raise
    return None


def _as_placed(order_id: str, order_input: OrderInput, at: datetime) -> OrderView:
    placement = order_input.placement
    return OrderView(
        order_id=order_id,
        placement=placement,
        status=OrderStatus.RECEIVED,
        timeline=[TimelineEntry(at=at, status=OrderStatus.RECEIVED, actor=f"channel:{placement.channel}")],
    )


async def pickup_code_of(desk: OrderDesk, order_id: str) -> str | None:
    """The code of an order, as its workflow knows it (None unless it waits for the customer)."""
    try:
        code: str | None = await desk.client.get_workflow_handle(order_id).query(
            ids.QUERY_PICKUP_CODE, result_type=str
        )
    except RPCError:
        raise OrderBusy(order_id, "the pickup code cannot be read right now; retry") from None
    return code
