"""OpenTelemetry traces (OMS_TRACING): one order placed through the API is one trace, from the HTTP request
through the workflow to its activities."""

from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import create_engine
from adapters.tracing import temporal_interceptors
from api.app import create_app
from tests.conftest import placement
from tests.integration.conftest import eventually, settings_for
from tests.integration.flow import place, step
from tests.integration.test_stock import new_sku
from worker.main import build_worker

TRACED_QUEUE = "oms-tracing-tests"


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture(scope="module")
async def traced_api(
    client: Client, database_url: str, spans: InMemorySpanExporter
) -> AsyncIterator[httpx.AsyncClient]:
    """The API, a client and a worker of their own, traced into memory as OMS_TRACING=otlp traces."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    config = client.config()
    config["interceptors"] = temporal_interceptors(provider)
    traced = Client(**config)
    worker_engine = create_engine(database_url)
    app = create_app(settings_for(traced, database_url, TRACED_QUEUE), client=traced, tracing=provider)
    async with build_worker(traced, worker_engine, TRACED_QUEUE), app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://oms", timeout=60, headers={"X-API-Key": "test-ops"}
        ) as http:
            yield http
    await worker_engine.dispose()
    provider.shutdown()


async def test_an_order_placed_through_the_api_is_one_trace_from_request_to_activities(
    traced_api: httpx.AsyncClient, engine: AsyncEngine, spans: InMemorySpanExporter
) -> None:
    sku = await new_sku(engine, on_hand=3, store_id="paris-rivoli")
    order = placement(lines=[(sku, 1)])
    placed = await place(traced_api, order)
    assert placed.status_code == 201, placed.text
    accepted = await step(traced_api, order, "accept")
    assert accepted.status_code == 200, accepted.text

    def of_the_order() -> list:  # type: ignore[type-arg]
        return [
            span
            for span in spans.get_finished_spans()
            if (span.attributes or {}).get("temporalWorkflowID") == order.order_id
        ]

    async def activities_ran() -> list:  # type: ignore[type-arg]
        return [span for span in of_the_order() if span.name.startswith("RunActivity:")]

    await eventually(activities_ran)
    request = next(
        span
        for span in spans.get_finished_spans()
        if span.name == "POST /v1/orders" and span.kind.name == "SERVER"
    )
    trace_id = request.context.trace_id
    in_trace = {span.name: span for span in of_the_order() if span.context.trace_id == trace_id}
    assert {
        "StartUpdateWithStartWorkflow:OrderWorkflow",  # the API's call, child of the request span
        "HandleUpdate:confirm_intake",
        "RunWorkflow:OrderWorkflow",
        "StartActivity:reserve_order",
        "RunActivity:reserve_order",  # the intake's one transaction
        "RunActivity:record_order",
        "RunActivity:notify_customer",
        "HandleUpdate:accept",  # a later store step joins the order's trace
    } <= set(in_trace)
    assert in_trace["StartUpdateWithStartWorkflow:OrderWorkflow"].parent.span_id == request.context.span_id
    elsewhere = [span for span in of_the_order() if span.context.trace_id != trace_id]
    assert [span.name for span in elsewhere] == ["StartWorkflowUpdate:accept"]  # the accept request's own
    linked = {link.context.span_id for link in in_trace["HandleUpdate:accept"].links}
    assert elsewhere[0].context.span_id in linked
