"""The Temporal UI as `oms up` starts it: the dev server's UI wired to the API's codec server shows an
order decoded (the customer's name in its input) and its timers by name, in a real Chromium."""

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.codec import customer_key_store, data_converter
from adapters.db import create_engine
from api.app import create_app
from config.settings import Settings
from devstack.embedded import TemporalDevServer, wait_for_port
from domain import ids
from oms.local_setup import embedded_ui_codec
from services.pickup_page import page_url
from tests.conftest import free_port, placement
from tests.integration.browser.conftest import TABLET
from tests.integration.conftest import PAYLOAD_KEYS, settings_for
from tests.integration.flow import place
from worker.main import build_worker
from workflows.calls import STEP_SUMMARIES
from workflows.order.preparation import AT_RISK_TIMERS

TASK_QUEUE = "oms-ui-tests"


@dataclass
class Stack:
    ui: str
    api: httpx.AsyncClient
    codec_endpoint: str


@pytest.fixture
async def stack(tmp_path: Path, engine: AsyncEngine, database_url: str) -> AsyncIterator[Stack]:
    """A dev server with its UI started as `oms up` starts it, with the API and a worker on it."""
    ports = {"temporal": free_port(), "ui": free_port(), "api": free_port()}
    wiring = Settings(api_port=ports["api"], temporal_ui_port=ports["ui"])
    codec_endpoint = embedded_ui_codec(wiring)  # draws this run's token, as `oms up` does
    server = TemporalDevServer(
        tmp_path / "temporal", ports["temporal"], ports["ui"], codec_endpoint=codec_endpoint
    )
    address = await asyncio.to_thread(server.start)
    try:
        await asyncio.to_thread(wait_for_port, "127.0.0.1", ports["ui"], 60)
        keys = customer_key_store(engine, PAYLOAD_KEYS, "test-k1")
        client = await Client.connect(address, data_converter=data_converter(PAYLOAD_KEYS, "test-k1", keys))
        settings = settings_for(client, database_url, TASK_QUEUE).model_copy(
            update={
                "api_port": ports["api"],
                "temporal_ui_port": ports["ui"],
                "codec_ui_token": wiring.codec_ui_token,
            }
        )
        app = create_app(settings, client=client)
        api = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=ports["api"], log_level="warning"))
        serving = asyncio.create_task(api.serve())
        worker_engine = create_engine(database_url)
        links = partial(page_url, "test-tracking-secret", "http://oms.test")
        try:
            async with build_worker(client, worker_engine, TASK_QUEUE, links=links):
                while not api.started:
                    await asyncio.sleep(0.05)
                base = f"http://127.0.0.1:{ports['api']}"
                async with httpx.AsyncClient(base_url=base, headers={"X-API-Key": "test-ops"}) as http:
                    yield Stack(f"http://127.0.0.1:{ports['ui']}", http, codec_endpoint)
        finally:
            api.should_exit = True
            await serving
            await worker_engine.dispose()
    finally:
        await asyncio.to_thread(server.stop)


async def test_the_embedded_ui_shows_an_order_decoded_with_named_timers(stack: Stack, page: Page) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    order.customer.name = "Océane Temporalui"
    assert (await place(stack.api, order)).status_code == 201
    await page.set_viewport_size(TABLET)
    await page.goto(f"{stack.ui}/namespaces/default/workflows/{order.order_id}")
    # The input, decrypted by the API's codec server for the UI.
    await expect(page.get_by_text('"name": "Océane Temporalui"')).to_be_visible(timeout=30_000)
    # The timeline names the timer the order now waits on, and the history names its steps.
    await expect(page.get_by_text(AT_RISK_TIMERS["accept"], exact=True)).to_be_visible()
    await page.get_by_role("tab", name=re.compile("Event History")).click()
    for step in (STEP_SUMMARIES[ids.ACTIVITY_RESERVE_ORDER], "tell the customer: order_confirmed #1"):
        await expect(page.get_by_text(step).first).to_be_visible()


async def test_the_embedded_codec_answers_only_the_ui_with_this_runs_token(stack: Stack) -> None:
    ui_origin = {"Origin": stack.ui}
    body = {"payloads": [{"metadata": {"encoding": "YmluYXJ5L251bGw="}}]}  # binary/null: shown as it is
    async with httpx.AsyncClient() as http:
        decoded = await http.post(f"{stack.codec_endpoint}/decode", json=body, headers=ui_origin)
        assert decoded.status_code == 200, decoded.text
        assert decoded.headers["access-control-allow-origin"] == stack.ui
        elsewhere = await http.post(
            f"{stack.codec_endpoint}/decode", json=body, headers={"Origin": "http://evil.test"}
        )
        assert elsewhere.status_code == 404
        no_origin = await http.post(f"{stack.codec_endpoint}/decode", json=body)
        assert no_origin.status_code == 404
        wrong_token = re.sub(r"/codec/ui/[^/]+", "/codec/ui/guessed", stack.codec_endpoint)
        assert (await http.post(f"{wrong_token}/decode", json=body, headers=ui_origin)).status_code == 404
