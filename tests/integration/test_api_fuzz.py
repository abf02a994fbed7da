"""Property-based testing of the public API from its own OpenAPI document (schemathesis): whatever the
input, no answer is a server error. The API and a worker run for real in a thread of their own."""

import asyncio
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from adapters.db import create_engine
from adapters.temporal import connect
from api.access import ROUTE_ROLES
from api.app import create_app
from api.door import body_limit
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
        operation = result.ok()  # type: ignore[union-attr]

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


def test_no_generated_request_without_a_key_reaches_a_route(live_api: str) -> None:
    """Generated requests, valid and invalid bodies alike, without a key: every route that needs one
    answers 401 before reading anything; the public ones (webhooks, tracking) answer below 500."""
    schema = schemathesis.openapi.from_url(f"{live_api}/openapi.json")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case) -> None:  # type: ignore[no-untyped-def]
            CASES["count"] += 1
            answer = case.call(headers={"X-API-Key": ""}, timeout=30)
            keyed = (case.operation.method.upper(), case.operation.path) in ROUTE_ROLES
            unrouted = answer.status_code in (404, 405) and "error" not in answer.text  # no such path
            if keyed and not unrouted:
                assert answer.status_code == 401, (case.path, answer.status_code, answer.text[:200])
            assert answer.status_code < 500, (case.path, answer.text[:200])

        try:
            call()
        except Exception as failure:  # noqa: BLE001 - collect every operation's failure, report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert failures == []
    assert_raw_bodies_without_a_key_are_refused(live_api)


def assert_raw_bodies_without_a_key_are_refused(live_api: str) -> None:
    """Bytes a schema never generates (broken JSON, invalid UTF-8, forms) to every keyed writing route."""
    writes = sorted({route for route in ROUTE_ROLES if route[0] in ("POST", "PUT", "PATCH", "DELETE")})
    with httpx.Client(base_url=live_api, timeout=30) as http:
        for method, path in writes:
            _raw_bodies_refused(http, method, _example_url(path))()


def _raw_bodies_refused(http: httpx.Client, method: str, url: str) -> Callable[[], None]:
    @given(
        body=st.binary(max_size=4096) | st.sampled_from([b"{", b'{"a": ', b"\xff\xfe", b"[" * 5000]),
        kind=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain"]),
        key=st.sampled_from(["", "not-a-key", "test-ops-2"]),
    )
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(body: bytes, kind: str, key: str) -> None:
        CASES["count"] += 1
        answer = http.request(method, url, content=body, headers={"X-API-Key": key, "Content-Type": kind})
        assert answer.status_code == 401, (method, url, body[:40], answer.text[:200])

    return call


def _example_url(path: str) -> str:
    values = {"store_id": "paris-rivoli", "order_id": "order-webshop-X", "channel": "shopify"}
    for name, value in {
        **values,
        "sku": "TENT-2P",
        "hold_id": "hold-" + "0" * 32,
        "dead_letter_id": "1",
    }.items():
        path = path.replace("{" + name + "}", value)
    return path


def test_oversize_bodies_are_refused_on_every_writing_route(live_api: str) -> None:
    """Over real HTTP, a body beyond its route's limit is refused with 413 naming the limit, whether its
    size is declared or it streams in chunked; the API keeps answering."""
    writes = sorted({route for route in ROUTE_ROLES if route[0] in ("POST", "PUT", "PATCH")})
    public = [("POST", "/v1/channels/{channel}/orders"), ("POST", "/v1/webhooks/sendgrid/events")]
    checked = 0
    with httpx.Client(base_url=live_api, timeout=30) as http:
        document = http.get("/openapi.json").json()["paths"]
        for method, path in writes + public:
            reads_a_body = "requestBody" in document[path][method.lower()]
            limit = body_limit(method, path)
            body = b"[" + b"0," * (limit // 2) + b"0]"
            signed = {
                "X-Shopify-Hmac-Sha256": "c2ln",
                "X-Twilio-Email-Event-Webhook-Signature": "c2ln",
                "X-Twilio-Email-Event-Webhook-Timestamp": "0",
            }
            headers = {"X-API-Key": "test-ops", "Content-Type": "application/json", **signed}

            def chunks(data: bytes = body) -> Iterator[bytes]:
                for start in range(0, len(data), 16 * 1024):
                    yield data[start : start + 16 * 1024]

            for content in (body, chunks()):
                answer = http.request(method, _example_url(path), content=content, headers=headers)
                if (method, path) in public and answer.status_code in (401, 403, 404):
                    continue  # refused on its signature before reading (checked in test_webhooks)
                if not reads_a_body and not isinstance(content, bytes):
                    assert answer.status_code < 500  # streamed to a route that never reads it
                    continue
                assert answer.status_code == 413, (method, path, answer.status_code, answer.text[:200])
                assert answer.json()["limit"] == limit
                checked += 1
        assert http.get("/healthz").status_code == 200
    assert checked >= len(writes)
