"""Real-browser tests: Debian's Chromium driven by Playwright (no browser download), axe-core for
accessibility. Pages are served by the session's API (the fixtures of tests/integration/conftest.py)."""

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, Page, ViewportSize, async_playwright
from temporalio.client import Client

from api.app import create_app
from config.settings import Settings
from domain.access import Grant, Role
from domain.commands import ProofKind
from tests.integration.conftest import settings_for

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# Chromium on a closed network: no background fetches, no sandbox as root, no GPU.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLET = ViewportSize(width=1024, height=768)
PHONE = ViewportSize(width=390, height=844)


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium not found: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH")
    return path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=TABLET, locale="en-GB")
    page = await context.new_page()
    yield page
    await context.close()


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical accessibility violations on the page as it is now."""
    await page.add_script_tag(content=AXE.read_text())
    result: dict[str, Any] = await page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="session")
async def console(client: Client, database_url: str, worker: None) -> AsyncIterator[str]:
    """The API with its store console served over real HTTP (uvicorn, in this process) for Chromium."""
    settings = settings_for(client, database_url)
    # La Défense asks for the customer's signature at handover (the other stores: the code alone).
    keys = {**settings.api_keys, "test-store-defense": Grant(role=Role.STORE, store_id="paris-la-defense")}
    settings = settings.model_copy(
        update={"api_keys": keys, "handover_proof_stores": {"paris-la-defense": ProofKind.SIGNATURE}}
    )
    async for url in served(settings, client):
        yield url


async def served(settings: Settings, client: Client) -> AsyncIterator[str]:
    """The API on these settings over real HTTP (uvicorn, in this process, a free port); its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(settings, client=client)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await serving


async def sign_in(page: Page, console: str, key: str = "test-store-paris", name: str = "Camille") -> None:
    await page.goto(f"{console}/store/")
    await page.get_by_label("Store key").fill(key)
    await page.get_by_label("Your name").fill(name)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Orders to prepare and hand over").wait_for()
