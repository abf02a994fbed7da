"""Outages have names: with PostgreSQL or Temporal unreachable every answer is a JSON 503 naming it, with
Retry-After, within the configured waits, and one log line per outage; readiness says which check fails;
anything unexpected is a JSON 500 whose error id is in the log."""

import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from config.settings import Settings
from tests.conftest import free_port, placement
from tests.integration.conftest import TASK_QUEUE, settings_for

INTAKE_WAIT = timedelta(seconds=5)
MARGIN = 1.5  # seconds an answer may take beyond the configured wait


def closed_port_url() -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/oms"


async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        headers = {"X-API-Key": "test-ops"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://oms", timeout=60, headers=headers
        ) as http:
            yield http


def outage_settings(client: Client, session_database: str, **changes: object) -> Settings:
    settings = settings_for(client, session_database)
    settings.intake_wait = INTAKE_WAIT
    for name, value in changes.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
async def database_down(client: Client, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The API with DATABASE_URL on a port where nothing listens (Temporal is fine)."""
    settings = outage_settings(client, database_url, database_url=closed_port_url(), task_queue="oms-idle")
    async for http in serve(create_app(settings, client=client)):
        yield http


@pytest.fixture
async def temporal_down(client: Client, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The API started while nothing listens at its Temporal address (PostgreSQL is fine)."""
    settings = outage_settings(client, database_url, temporal_address=f"127.0.0.1:{free_port()}")
    async for http in serve(create_app(settings)):
        yield http


def assert_named_503(answer: httpx.Response, error: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == error
    assert int(answer.headers["retry-after"]) > 0


async def timed(request: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = await request  # type: ignore[misc]
    return answer, time.monotonic() - started


def outage_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("oms.") and r.levelno >= logging.WARNING]


async def test_with_postgresql_unreachable_every_answer_is_a_named_503_within_the_wait(
    database_down: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    api = database_down
    caplog.set_level(logging.INFO)
    order = placement()
    intake, seconds = await timed(api.post("/v1/orders", json=order.model_dump(mode="json")))
    assert_named_503(intake, "database_unavailable")
    assert seconds < INTAKE_WAIT.total_seconds() + MARGIN
    assert_named_503(await api.get("/v1/stores"), "database_unavailable")
    assert_named_503(await api.get(f"/v1/orders/{order.order_id}"), "database_unavailable")
    invalid = await api.post("/v1/orders", json={"channel": "webshop"})  # kept as a dead letter, normally
    assert_named_503(invalid, "database_unavailable")

    records = outage_records(caplog)
    assert [r.getMessage().split(" (")[0] for r in records] == ["PostgreSQL unavailable"]
    assert all(r.exc_info is None for r in caplog.records)  # no stack trace per request


async def test_with_temporal_unreachable_intake_answers_a_named_503_within_the_wait(
    temporal_down: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    api = temporal_down
    caplog.set_level(logging.INFO)
    intake, seconds = await timed(api.post("/v1/orders", json=placement().model_dump(mode="json")))
    assert_named_503(intake, "temporal_unavailable")
    assert seconds < INTAKE_WAIT.total_seconds() + MARGIN
    unknown = await api.get("/v1/orders/order-webshop-never-placed")  # not in the read model: asks Temporal
    assert_named_503(unknown, "temporal_unavailable")
    records = outage_records(caplog)
    assert [r.getMessage().split(" (")[0] for r in records] == ["Temporal unavailable"]
    assert all(r.exc_info is None for r in caplog.records)


async def test_when_temporal_goes_away_intake_answers_a_named_503_not_a_500_after_15_s(
    temporal_cli_path: str, client: Client, database_url: str, worker: None
) -> None:
    port = free_port()
    server = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_cli_path, port=port)
    settings = outage_settings(client, database_url, temporal_address=f"127.0.0.1:{port}")
    async for api in serve(create_app(settings)):
        assert (await api.get("/readyz")).json()["checks"]["temporal"] == "ok"  # connected
        await server.shutdown()
        for _ in range(3):
            intake, seconds = await timed(api.post("/v1/orders", json=placement().model_dump(mode="json")))
            assert_named_503(intake, "temporal_unavailable")
            print(f"intake answered {intake.status_code} in {seconds:.2f} s")
            assert seconds < INTAKE_WAIT.total_seconds() + MARGIN, seconds


async def test_ready_when_postgresql_temporal_and_a_worker_answer(api: httpx.AsyncClient) -> None:
    answer = await api.get("/readyz")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "status": "ready",
        "checks": {"database": "ok", "temporal": "ok", "worker": "ok"},
    }


async def test_not_ready_names_each_failing_check(
    database_down: httpx.AsyncClient, temporal_down: httpx.AsyncClient
) -> None:
    answer = await database_down.get("/readyz")
    assert answer.status_code == 503 and int(answer.headers["retry-after"]) > 0
    checks = answer.json()["checks"]
    assert checks["temporal"] == "ok"
    assert "refused" in checks["database"] or "connect" in checks["database"]
    assert checks["worker"] == "no worker polled task queue 'oms-idle' in the last 2 min"

    checks = (await temporal_down.get("/readyz")).json()["checks"]
    assert checks["database"] == "ok"
    assert "connect" in checks["temporal"]
    assert checks["worker"] == "Temporal is unavailable"


async def test_liveness_needs_no_server(database_down: httpx.AsyncClient) -> None:
    assert (await database_down.get("/healthz")).json() == {"status": "ok"}


async def test_an_unexpected_error_is_a_json_500_with_an_id_that_is_in_the_log(
    client: Client, engine: AsyncEngine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings_for(client, database_url, TASK_QUEUE), client=client, engine=engine)

    @app.get("/boom")
    async def boom() -> None:
        raise KeyError("a bug")

    async for api in serve(app):
        answer = await api.get("/boom")
    assert answer.status_code == 500
    body = answer.json()
    assert body["error"] == "internal_error" and body["error_id"] in body["message"]
    logged = [r for r in caplog.records if r.name == "oms.api" and body["error_id"] in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
