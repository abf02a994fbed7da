"""Property-based testing of the public API from its own OpenAPI document (schemathesis): whatever the
input, no answer is a server error. The API and a worker run for real in a thread of their own."""

import asyncio
import threading
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from adapters.db import create_engine
from adapters.temporal import connect
from api.app import create_app
from config.settings import Settings
from oms.cli import _Server
from tests.conftest import free_port
from tests.integration.conftest import KEYS
from worker.main import build_worker

CASES = {"count": 0}


class LiveApi:
    """`oms api` and `oms worker` in one background event loop, as a deployment runs them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server: _Server | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        client = await connect(self.settings)
        engine = create_engine(self.settings.sqlalchemy_url(), pool_size=5)
        config = uvicorn.Config(create_app(self.settings), port=self.settings.api_port, log_level="warning")
        self.server = _Server(config)
        async with build_worker(client, engine, self.settings.task_queue):
            serving = asyncio.create_task(self.server.serve())
            while not self.server.started:
                await asyncio.sleep(0.05)
            self.ready.set()
            await serving
        await engine.dispose()

    def __enter__(self) -> str:
        self.thread.start()
        assert self.ready.wait(60), "the API did not start"
        return f"http://127.0.0.1:{self.settings.api_port}"

    def __exit__(self, *exc: object) -> None:
        assert self.server
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="module")
def live_api(temporal, engine, database_url: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    fuzz = Settings(
        database_url=database_url,
        temporal_address=temporal.client.service_client.config.target_host,
        task_queue="oms-fuzz",
        api_port=free_port(),
        api_keys=KEYS,
        tracking_secret="fuzz",
    )
    with LiveApi(fuzz) as url:
        yield url
    print(f"\nschemathesis: {CASES['count']} generated requests")


def test_no_generated_request_gets_a_server_error(live_api: str) -> None:
    """Up to 25 generated requests per operation, valid and invalid, each must be answered below 500."""
    schema = schemathesis.openapi.from_url(f"{live_api}/openapi.json")
    failures = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case) -> None:  # type: ignore[no-untyped-def]
            CASES["count"] += 1
            case.call_and_validate(headers={"X-API-Key": "test-ops"}, checks=[not_a_server_error], timeout=30)

        try:
            call()
        except Exception as failure:  # noqa: BLE001 - collect every operation's failure, report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert failures == []
    assert CASES["count"] > 200
