"""Build and run the worker that executes order workflows and their activities."""

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.common import WorkerDeploymentVersion
from temporalio.service import RPCError
from temporalio.worker import Worker, WorkerDeploymentConfig

from activities.carrier import CarrierActivities
from activities.channel_fulfilment import ChannelFulfilmentActivities
from activities.event_delivery import EventDeliveryActivities
from activities.notifications import NotificationActivities
from activities.order_records import OrderRecordActivities
from activities.order_steps import OrderStepActivities
from activities.payments import PaymentActivities
from activities.reconciliation import ReconciliationActivities
from activities.returns import ReturnActivities
from activities.routing import RoutingActivities
from activities.stock import StockActivities
from adapters.channels.shopify_admin import ShopifyAdmin, shopify_admin
from adapters.db import create_engine
from adapters.messaging.render import MessageRenderer
from adapters.messaging.senders import ChannelSender, LogSender
from adapters.startup import startup_frozen, wait_for_database, wait_for_temporal
from config.settings import Settings
from domain.delivery import DEFAULT_RATES
from domain.event_delivery import DeliveryPolicy
from domain.values import CarrierRate
from services.customer_messages import Messenger
from services.order_events import resume_deliveries
from services.pickup_page import page_url
from worker.sandbox import workflow_runner
from worker.schedules import ensure_schedules
from workflows.activities import defined_activities
from workflows.delivery import DeliveryWorkflow
from workflows.event_delivery import EventDeliveryWorkflow
from workflows.order import OrderWorkflow
from workflows.reconciliation import ReconciliationWorkflow
from workflows.returns import ReturnWorkflow
from workflows.versioning import BEHAVIOUR

log = logging.getLogger("oms.worker")

WORKFLOWS = (OrderWorkflow, DeliveryWorkflow, ReturnWorkflow, ReconciliationWorkflow, EventDeliveryWorkflow)


def embedded_senders() -> dict[str, ChannelSender]:
    return {"email": LogSender("email"), "sms": LogSender("sms")}


def senders_from(settings: Settings) -> dict[str, ChannelSender]:
    """Twilio for SMS and SendGrid for email when configured; the embedded log sender otherwise."""
    senders = embedded_senders()
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number:
        from twilio.rest import Client as TwilioClient

        from adapters.messaging.twilio_sms import TWILIO_API, RoutedTwilioHttpClient, TwilioSmsSender

        # Always with a timeout (the SDK's default client waits for ever): a hung send would outlive the
        # activity that made it, and go out after its retry.
        http = RoutedTwilioHttpClient(settings.twilio_api_url or TWILIO_API)
        client = TwilioClient(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http)
        callback = f"{settings.public_url.rstrip('/')}/v1/webhooks/twilio/status"
        senders["sms"] = TwilioSmsSender(client, settings.twilio_from_number, callback)
    if settings.sendgrid_api_key and settings.sendgrid_from_email:
        from sendgrid import SendGridAPIClient

        from adapters.messaging.sendgrid_email import SendGridEmailSender

        client = SendGridAPIClient(settings.sendgrid_api_key, host=settings.sendgrid_host)
        senders["email"] = SendGridEmailSender(client, settings.sendgrid_from_email)
    return senders


def activities_for(
    engine: AsyncEngine,
    senders: dict[str, ChannelSender],
    rates: list[CarrierRate] | None = None,
    links: Callable[[str], str | None] | None = None,
    shopify: ShopifyAdmin | None = None,
    events: DeliveryPolicy | None = None,
) -> list[Callable[..., Any]]:
    """Every activity the workflows call: the methods of one object per external system."""
    messenger = Messenger(engine, senders, MessageRenderer(links))
    implementations = [
        StockActivities(engine),
        PaymentActivities(engine),
        OrderRecordActivities(engine),
        OrderStepActivities(engine, messenger),
        RoutingActivities(engine),
        ReturnActivities(engine),
        CarrierActivities(engine, DEFAULT_RATES if rates is None else rates),
        NotificationActivities(messenger),
        ReconciliationActivities(engine),
        ChannelFulfilmentActivities(shopify),
        EventDeliveryActivities(engine, events or DeliveryPolicy()),
    ]
    return [method for implementation in implementations for method in defined_activities(implementation)]


def build_worker(
    client: Client,
    engine: AsyncEngine,
    task_queue: str,
    senders: dict[str, ChannelSender] | None = None,
    rates: list[CarrierRate] | None = None,
    links: Callable[[str], str | None] | None = None,
    max_cached_workflows: int = 1000,
    version: WorkerDeploymentVersion | None = None,
    shopify: ShopifyAdmin | None = None,
    events: DeliveryPolicy | None = None,
) -> Worker:
    """`links` gives an order's pickup page address for its messages (see services/pickup_page.py);
    `max_cached_workflows` bounds the open orders kept in memory (the others replay when they move);
    `version`, when given, makes it a versioned worker of that Worker Deployment (docs/deploy.md), its
    workflows pinned to it (workflows/versioning.py); `shopify` is the Admin API Shopify orders are
    reported to (None: not configured)."""
    deployment = None
    if version is not None:
        deployment = WorkerDeploymentConfig(version, True, default_versioning_behavior=BEHAVIOUR)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        activities=activities_for(engine, senders or embedded_senders(), rates, links, shopify, events),
        workflow_runner=workflow_runner(),
        max_cached_workflows=max_cached_workflows,
        # New orders' first tasks come from the task queue, not a worker's sticky queue: with the SDK's
        # default (1 poller in 5 there), an intake waits for that one poller behind a burst of others.
        nonsticky_to_sticky_poll_ratio=1.0,
        deployment_config=deployment,
    )


def deployment_version(settings: Settings) -> WorkerDeploymentVersion | None:
    """The Worker Deployment Version this worker runs as, or None: unversioned (the default)."""
    if settings.deployment_name is None or settings.build_id is None:
        return None
    return WorkerDeploymentVersion(settings.deployment_name, settings.build_id)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Wait for PostgreSQL and Temporal (retrying with backoff), run until `stop` is set (or forever),
    then finish in-flight tasks and close cleanly."""
    stop = stop or asyncio.Event()
    engine = create_engine(
        settings.sqlalchemy_url(),
        connect_timeout=settings.database_connect_timeout.total_seconds(),
        pre_ping=False,  # activities retry: a connection lost in a restart costs one attempt
    )
    http = httpx.AsyncClient()
    try:
        if not await wait_for_database(engine, stop):
            return
        client = await wait_for_temporal(settings, engine, stop)
        if client is None:
            return
        shopify = shopify_admin(settings, http)
        if shopify is None and settings.shopify_webhook_secret:
            log.warning("Shopify orders are taken but not reported back: set the shop domain and token")
        worker = build_worker(
            client,
            engine,
            settings.task_queue,
            senders_from(settings),
            settings.carrier_rates or None,
            links=partial(page_url, settings.tracking_secret, settings.public_url),
            max_cached_workflows=settings.max_cached_workflows,
            version=deployment_version(settings),
            shopify=shopify,
            events=settings.delivery_policy(),
        )
        await ensure_schedules(client, settings.task_queue)
        try:
            await resume_deliveries(client, engine, settings.task_queue)
        except (SQLAlchemyError, RPCError):  # the pumps already running carry on; the next start retries
            log.warning("order event deliveries not resumed", exc_info=True)
        log.info(
            "worker polling task queue %s on %s as %s",
            settings.task_queue,
            settings.temporal_address,
            _described(deployment_version(settings)),
        )
        with startup_frozen():
            async with worker:
                await stop.wait()
    finally:
        await http.aclose()
        await engine.dispose()


def _described(version: WorkerDeploymentVersion | None) -> str:
    if version is None:
        return "an unversioned worker"
    return f"build {version.build_id} of worker deployment {version.deployment_name}"
