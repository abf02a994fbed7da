"""The nightly reconciliation on the real stack: an orphaned reservation is released and reported, a
running order's is kept, a message stuck in sending is reported, one ops alert; the Schedule is created
once where the worker starts."""

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client, ScheduleActionStartWorkflow
from temporalio.service import RPCError

from adapters.db import stock
from adapters.db.tables import notifications, reservations, support_alerts
from domain import ids
from domain.reconciliation import ReconciliationReport
from domain.values import OrderLine
from tests.conftest import placement
from tests.integration.conftest import TASK_QUEUE
from tests.integration.flow import place
from tests.integration.test_stock import new_sku
from worker.schedules import ensure_schedules
from workflows.contracts import ReservationRequest
from workflows.reconciliation import ReconciliationWorkflow


async def _run(client: Client) -> ReconciliationReport:
    return await client.execute_workflow(
        ReconciliationWorkflow.run, id=f"reconciliation-test-{uuid.uuid4().hex[:8]}", task_queue=TASK_QUEUE
    )


async def test_orphaned_reservations_are_released_and_stuck_messages_reported(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=5, store_id="nyc-soho")
    ghost = f"order-webshop-ghost-{uuid.uuid4().hex[:8]}"
    running = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, running)).status_code == 201
    async with engine.begin() as conn:
        line = OrderLine(sku=sku, quantity=2, unit_price=Decimal("10.00"))
        request = ReservationRequest(order_id=ghost, store_id="nyc-soho", lines=[line])
        assert (await stock.reserve(conn, request)).reserved
        await conn.execute(  # both held since long before the night's run
            reservations.update()
            .where(reservations.c.order_id.in_([ghost, running.order_id]))
            .values(updated_at=func.now() - text("interval '2 hours'"))
        )
        message_id = await conn.scalar(
            notifications.insert()
            .values(
                order_id=ghost,
                kind="order_confirmed",
                sequence=1,
                channel="email",
                recipient="x@example.com",
                subject="s",
                body="b",
                status="sending",
                provider="log",
                updated_at=datetime.now(UTC) - timedelta(hours=3),
            )
            .returning(notifications.c.id)
        )

    report = await _run(client)

    assert [(o.holder_id, o.sku, o.quantity) for o in report.released if o.holder_id == ghost] == [
        (ghost, sku, 2)
    ]
    assert running.order_id not in {o.holder_id for o in report.released}
    assert message_id in {m.id for m in report.stuck_messages}
    async with engine.connect() as conn:
        level = await stock.level(conn, "nyc-soho", sku)
        assert level is not None and level.reserved == 0
        assert [d for d in await stock.check_ledger(conn) if d.sku == sku] == []
        [held] = await stock.reservation_of(conn, running.order_id)
        assert held.state == "active"
        alerts = (
            await conn.execute(select(support_alerts).where(support_alerts.c.kind == "reconciliation"))
        ).all()
    assert (
        len(alerts) == 1
        and ghost in alerts[0].detail
        and "orphaned reservation(s) released" in alerts[0].detail
    )

    again = await _run(client)
    assert ghost not in {o.holder_id for o in again.released}
    async with engine.connect() as conn:
        count = await conn.scalar(select(func.count()).where(support_alerts.c.kind == "reconciliation"))
    assert count == 1  # one alert for the night


async def test_the_schedule_is_created_once_where_the_worker_starts(client: Client) -> None:
    with contextlib.suppress(RPCError):  # a worker process started by another test may have made it
        await client.get_schedule_handle(ids.RECONCILIATION_SCHEDULE_ID).delete()
    try:
        first = await ensure_schedules(client, TASK_QUEUE)
        second = await ensure_schedules(client, TASK_QUEUE)
        assert (first, second) == (True, False)
        described = await client.get_schedule_handle(ids.RECONCILIATION_SCHEDULE_ID).describe()
        action = described.schedule.action
        assert (
            isinstance(action, ScheduleActionStartWorkflow) and action.workflow == ids.WORKFLOW_RECONCILIATION
        )
        nights = described.info.next_action_times  # the server keeps the cron as calendar times
        assert nights and all((t.hour, t.minute) == (3, 0) for t in nights)
    finally:
        await client.get_schedule_handle(ids.RECONCILIATION_SCHEDULE_ID).delete()
