"""The real stack in one session: Temporal dev server, PostgreSQL, an in-process worker and the API."""

import asyncio
import base64
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import httpx
import pytest
from google.protobuf.message import Message
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadCodec
from temporalio.testing import WorkflowEnvironment

from adapters.codec import customer_key_store, data_converter, is_encrypted
from adapters.db import create_engine, payments
from adapters.db.tables import stores
from api.app import create_app
from config.settings import Settings
from devstack import demo
from domain.access import Grant, Role
from domain.ids import SEARCH_ATTRIBUTES
from domain.policy import OrderPolicy
from services.pickup_page import page_url
from worker.main import build_worker

pytestmark = pytest.mark.integration
TASK_QUEUE = "oms-tests"


@pytest.fixture(scope="session")
async def temporal(temporal_cli_path: str) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path,
        search_attributes=SEARCH_ATTRIBUTES,
        data_converter=pydantic_data_converter,
    )
    yield env
    await env.shutdown()


PAYLOAD_KEYS = {"test-k1": base64.b64encode(b"k" * 32).decode()}


@pytest.fixture(scope="session")
def client(temporal: WorkflowEnvironment, engine: AsyncEngine) -> Client:
    """The session's client, encrypting payloads like every OMS client: per customer, else with the
    namespace key."""
    config = temporal.client.config()
    keys = customer_key_store(engine, PAYLOAD_KEYS, "test-k1")
    config["data_converter"] = data_converter(PAYLOAD_KEYS, "test-k1", keys)
    return Client(**config)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await demo.load(engine)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO products (sku, name, unit_price, currency) "
                "VALUES ('RACE-1', 'Limited edition', 10, 'EUR')"
            )
        )
    yield engine
    await engine.dispose()


KEYS = {
    "test-ops": Grant(role=Role.OPS),
    "test-support": Grant(role=Role.SUPPORT),
    "test-channel-webshop": Grant(role=Role.CHANNEL, channel="webshop"),
    "test-channel-app": Grant(role=Role.CHANNEL, channel="app"),
    "test-store-paris": Grant(role=Role.STORE, store_id="paris-rivoli"),
    "test-store-lyon": Grant(role=Role.STORE, store_id="lyon-part-dieu"),
}


def settings_for(
    client: Client, database_url: str, task_queue: str = TASK_QUEUE, policy: OrderPolicy | None = None
) -> Settings:
    return Settings(
        database_url=database_url,
        temporal_address=client.service_client.config.target_host,
        task_queue=task_queue,
        api_keys=KEYS,
        tracking_secret="test-tracking-secret",
        payload_keys=PAYLOAD_KEYS,
        payload_key_id="test-k1",
        policy=policy or OrderPolicy(),
    )


@pytest.fixture(scope="session")
async def worker(client: Client, engine: AsyncEngine, database_url: str) -> AsyncIterator[None]:
    worker_engine = create_engine(database_url)  # the worker has its own pool, as in production
    links = partial(page_url, "test-tracking-secret", "http://oms.test")
    async with build_worker(client, worker_engine, TASK_QUEUE, links=links):
        yield
    await worker_engine.dispose()


async def _api(settings: Settings, client: Client, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, client=client)  # the API opens its own pool, as in production
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"X-API-Key": "test-ops"}  # tests act as ops unless they say otherwise
        async with httpx.AsyncClient(
            transport=transport, base_url="http://oms", timeout=60, headers=headers
        ) as http:
            yield http


@pytest.fixture(scope="session")
async def api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _api(settings_for(client, database_url), client, engine):
        yield http


@pytest.fixture(scope="session")
async def short_hold_api(
    client: Client, engine: AsyncEngine, database_url: str, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    """The same system with a hold period of seconds, to watch reminders and expiry happen for real."""
    policy = OrderPolicy(
        reminder_after_ready=timedelta(seconds=1),
        hold_period=timedelta(seconds=3),
        hold_until_closing=False,  # seconds, not until the store closes
        quiet_hours_start=None,  # the test runs at any hour
        expiry_warning_before=None,
    )
    settings = settings_for(client, database_url, policy=policy)
    async for http in _api(settings, client, engine):
        yield http


async def eventually(check, timeout: float = 30.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll `check` (async, returns a truthy value when done) until it succeeds or time runs out."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last result {result!r}")
        await asyncio.sleep(interval)


HISTORIES = Path(__file__).parent.parent / "histories"


async def keep_history(client: Client, order_id: str, name: str) -> None:
    """With OMS_RECORD_HISTORIES=1, save the order's history for the replay test (tests/test_replay.py)."""
    if os.environ.get("OMS_RECORD_HISTORIES") != "1":
        return
    history = await client.get_workflow_handle(order_id).fetch_history()
    codec = client.data_converter.payload_codec
    if codec:  # kept decrypted: the replay test has no keys, and a fixture holds no customer data
        for event in history.events:
            await _decode_payloads(codec, event)
    path = HISTORIES / f"{name}.json"  # `name` may name a folder too ("returns/…")
    path.parent.mkdir(exist_ok=True)
    path.write_text(history.to_json())


async def _decode_payloads(codec: PayloadCodec, message: Message) -> None:
    """Decode every Payload nested anywhere in a protobuf message, in place."""
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items = list(value.values()) if field.message_type.fields_by_name["value"].message_type else []
        elif field.is_repeated:
            items = list(value)
        else:
            items = [value]
        for item in items:
            if item.DESCRIPTOR.full_name == "temporal.api.common.v1.Payload":
                if is_encrypted(item):  # plain ones (local activity markers' data) stay as they are
                    item.CopyFrom((await codec.decode([item]))[0])
            else:
                await _decode_payloads(codec, item)


NEARBY = "paris-test-bastille"  # 2 km from Paris Rivoli: within reach of an unasked move


async def add_store(engine: AsyncEngine, store_id: str, **columns: object) -> str:
    """A store (or warehouse) of a test's own, in Paris unless told otherwise; kept if already there."""
    values = {"id": store_id, "city": "Paris", "timezone": "Europe/Paris", "opening_hours": [], **columns}
    async with engine.begin() as conn:
        await conn.execute(insert(stores).values(**values).on_conflict_do_nothing())
    return store_id


async def payment_entries(engine: AsyncEngine, order_id: str) -> list[tuple[str, Decimal]]:
    """The order's payments ledger: (kind, amount) in order."""
    async with engine.connect() as conn:
        return [(entry.kind, entry.amount) for entry in await payments.ledger(conn, order_id)]


@pytest.fixture(scope="session")
async def nearby_store(engine: AsyncEngine) -> str:
    """A second Paris store, open every day all day, so the SLA never interferes with these tests."""
    return await add_store(
        engine,
        NEARBY,
        name="Paris Bastille (test)",
        address="1 place de la Bastille",
        latitude=48.8532,
        longitude=2.3691,
        opening_hours=[{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)],
        email="bastille@stores.example.com",
    )
