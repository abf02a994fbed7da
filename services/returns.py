"""Returns at the counter: find the order, check the rules and take a return number under the order's lock,
then start the return's workflow. A repeat of the same request (a double click, a retry) answers the
first return and starts nothing new."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from adapters.db import orders, payments, returns
from adapters.db.tables import orders as orders_table
from domain import ids
from domain.access import Grant, Role
from domain.notifications import CustomerNotification, NotificationFacts, NotificationKind
from domain.order_state import OrderView
from domain.returns import (
    ReturnLine,
    ReturnPolicy,
    ReturnRefused,
    ReturnRequest,
    check_return,
    handed_over,
    handed_over_at,
    refund_for,
    unit_prices,
)
from domain.values import OrderLine, StoreProfile
from services.errors import Forbidden, NotFound, ReturnNotAccepted
from workflows.return_contracts import ReturnCase
from workflows.returns import ReturnWorkflow


@dataclass(frozen=True)
class ReturnDesk:
    client: Client
    engine: AsyncEngine
    task_queue: str
    policy: ReturnPolicy


@dataclass(frozen=True)
class ReturnAtCounter:
    """What the associate sends: which order (its id or the channel's order id), lines, and a request key
    the page generates once per form, so that a second submit is the same return."""

    order: str
    store_id: str
    lines: list[ReturnLine]
    request_key: str


SEVERAL_ORDERS = "SeveralOrders"  # a reference more than one order answers to (HTTP 422, field `order`)
PICKUP_CODE = re.compile(r"\d{6}")


async def find_order(conn: AsyncConnection, reference: str) -> OrderView:
    """By what the associate types or scans: the order id (the receipt's return code encodes it), the
    channel's order number, or the pickup code the order was collected with (the customer's QR encodes
    it). A reference that fits several orders is refused: ask for the receipt or the order number."""
    reference = reference.strip()
    order = await orders.get(conn, reference)
    if order is not None:
        return order
    found = await conn.scalars(select(orders_table.c.id).where(orders_table.c.channel_order_id == reference))
    matches = list(dict.fromkeys(found))
    if PICKUP_CODE.fullmatch(reference):
        matches += [m for m in await returns.collected_with_code(conn, reference) if m not in matches]
    if len(matches) > 1:
        message = (
            f"{len(matches)} orders answer to {reference!r}: scan the receipt's code or type the order id"
        )
        raise ReturnNotAccepted(SEVERAL_ORDERS, "order", message)
    order = await orders.get(conn, matches[0]) if matches else None
    if order is None:
        raise NotFound("order", reference)
    return order


async def open_return(
    desk: ReturnDesk, caller: Grant, actor: str, counter: ReturnAtCounter
) -> dict[str, Any]:
    """Record the return (rules checked, number taken) and start its workflow; the return as recorded."""
    if caller.role is Role.STORE and caller.store_id != counter.store_id:
        raise Forbidden(f"a key of store {caller.store_id} records returns at that store only")
    async with desk.engine.begin() as conn:
        row = await returns.by_request_key(conn, counter.request_key)
        order = await find_order(conn, row["order_id"] if row else counter.order)
        store = await orders.get_store(conn, counter.store_id)
        if store is None:
            raise NotFound("store", counter.store_id)
        if row is None:
            row = await _record(conn, desk.policy, order, counter, actor)
    case = _case(order, store, row)
    await desk.client.start_workflow(
        ReturnWorkflow.run,
        case,
        id=case.return_id,
        task_queue=desk.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return row


async def _record(
    conn: AsyncConnection, policy: ReturnPolicy, order: OrderView, counter: ReturnAtCounter, actor: str
) -> dict[str, Any]:
    await returns.lock_order(conn, order.order_id)  # a second counter returning this order waits here
    request = ReturnRequest(
        order_id=order.order_id, store_id=counter.store_id, lines=counter.lines, actor=actor
    )
    returned = await returns.returned_units(conn, order.order_id)
    try:
        check_return(order, request, returned, datetime.now(UTC), policy)
    except ReturnRefused as refused:
        raise ReturnNotAccepted(refused.error.value, refused.field, str(refused)) from refused
    captured, refunded = await payments.refundable(conn, order.order_id)
    refunded = max(refunded, await returns.refunded_for_returns(conn, order.order_id))
    amount = refund_for(order, request, returned, captured, refunded)
    number = await returns.next_number(conn, order.order_id)
    return_id = ids.return_workflow_id(order.order_id, number)
    await returns.add(
        conn,
        return_id=return_id,
        number=number,
        request_key=counter.request_key,
        request=request,
        refund=amount,
        currency=order.placement.currency,
    )
    recorded = await returns.get(conn, return_id)
    assert recorded is not None
    return recorded


def _case(order: OrderView, store: StoreProfile, row: dict[str, Any]) -> ReturnCase:
    """The workflow's input, rebuilt the same from the recorded row on every repeat."""
    lines = [ReturnLine.model_validate(line) for line in row["lines"]]
    request = ReturnRequest(
        order_id=order.order_id, store_id=row["store_id"], lines=lines, actor=row["actor"]
    )
    prices, placement = unit_prices(order), order.placement
    receipt = CustomerNotification(
        order_id=order.order_id,
        kind=NotificationKind.RETURN_RECEIPT,
        sequence=row["number"],
        customer=placement.customer,
        facts=NotificationFacts(
            channel_order_id=placement.channel_order_id,
            total=placement.total,
            currency=placement.currency,
            store=store,
            refund_amount=Decimal(row["refund"]),
            lines=[
                OrderLine(sku=line.sku, quantity=line.quantity, unit_price=prices[line.sku]) for line in lines
            ],
        ),
    )
    return ReturnCase(
        return_id=row["id"],
        number=row["number"],
        request=request,
        refund=Decimal(row["refund"]),
        currency=row["currency"],
        receipt=receipt,
    )


async def get_return(engine: AsyncEngine, return_id: str) -> dict[str, Any]:
    async with engine.connect() as conn:
        row = await returns.get(conn, return_id)
    if row is None:
        raise NotFound("return", return_id)
    return row


async def of_order(engine: AsyncEngine, order_id: str) -> list[dict[str, Any]]:
    """The order's returns, by number."""
    async with engine.connect() as conn:
        return await returns.of_order(conn, order_id)


@dataclass(frozen=True)
class ReturnableLine:
    sku: str
    taken: int  # collected or delivered
    returned: int  # by earlier returns

    @property
    def left(self) -> int:
        return max(self.taken - self.returned, 0)


async def look_up(engine: AsyncEngine, reference: str) -> tuple[OrderView, list[ReturnableLine]]:
    """The order and what may still come back of each line; refused at once if it was never collected."""
    async with engine.connect() as conn:
        order = await find_order(conn, reference)
        returned = await returns.returned_units(conn, order.order_id)
    try:
        handed_over_at(order)
    except ReturnRefused as refused:
        raise ReturnNotAccepted(refused.error.value, refused.field, str(refused)) from refused
    taken = handed_over(order)
    return order, [ReturnableLine(sku, quantity, returned[sku]) for sku, quantity in sorted(taken.items())]
