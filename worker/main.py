"""Build and run the worker that executes order workflows and their activities."""

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.notifications import LogNotifier, NotificationActivities, Notifier
from activities.order_records import OrderRecordActivities
from activities.payments import PaymentActivities
from activities.stock import StockActivities
from oms.db import create_engine
from oms.settings import Settings
from oms.temporal import connect
from workflows.order import OrderWorkflow

log = logging.getLogger("oms.worker")


def activities_for(engine: AsyncEngine, notifier: Notifier) -> list:
    stock = StockActivities(engine)
    payments = PaymentActivities(engine)
    records = OrderRecordActivities(engine)
    notifications = NotificationActivities(engine, notifier)
    return [
        stock.reserve,
        stock.release,
        stock.commit,
        payments.authorize,
        payments.capture,
        payments.void,
        records.load_store,
        records.record,
        notifications.notify_customer,
    ]


def build_worker(
    client: Client, engine: AsyncEngine, task_queue: str, notifier: Notifier | None = None
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[OrderWorkflow],
        activities=activities_for(engine, notifier or LogNotifier()),
    )


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (or forever), then finish in-flight tasks and close cleanly."""
    client = await connect(settings)
    engine = create_engine(settings.sqlalchemy_url())
    worker = build_worker(client, engine, settings.task_queue)
    log.info("worker polling task queue %s on %s", settings.task_queue, settings.temporal_address)
    try:
        async with worker:
            await (stop or asyncio.Event()).wait()
    finally:
        await engine.dispose()
