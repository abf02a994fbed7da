"""The pickup page refuses plainly in Chromium at phone size: an expired link (its order ended longer ago
than the grace period) gets 410 and a page that says so, a wrong token 404; neither shows a trace or
anything of the order."""

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from temporalio.client import Client

from domain.values import OrderPlacement
from services.pickup_page import page_url
from tests.conftest import placement
from tests.integration.browser.conftest import PHONE, serious_violations, served
from tests.integration.conftest import settings_for
from tests.integration.flow import place

pytestmark = pytest.mark.integration
SECRET = "test-tracking-secret"


@pytest.fixture(scope="module")
async def no_grace(client: Client, database_url: str, worker: None) -> AsyncIterator[str]:
    """The API whose links expire as soon as their order ends."""
    settings = settings_for(client, database_url).model_copy(update={"tracking_grace": timedelta(0)})
    async for url in served(settings, client):
        yield url


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=PHONE, locale="en-GB")
    yield await context.new_page()
    await context.close()


async def _shows_nothing_of(page: Page, order: OrderPlacement) -> None:
    html = await page.content()
    assert "Traceback" not in html and "Exception" not in html
    for secret in (order.channel_order_id, order.customer.name, "Two-person dome tent", "shelf"):
        assert secret not in html, secret


async def test_an_expired_link_gets_a_plain_expired_page(
    phone: Page, no_grace: str, api: httpx.AsyncClient
) -> None:
    order = placement(lines=[("TENT-2P", 1)])
    order.customer.locale = "en"
    assert (await place(api, order)).status_code == 201
    url = page_url(SECRET, no_grace, order.order_id)
    assert url
    opened = await phone.goto(url)
    assert opened is not None and opened.status == 200  # a running order's link never expires
    await expect(phone.get_by_role("heading", name=f"Order {order.channel_order_id}")).to_be_visible()

    cancelled = await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "customer left"})
    assert cancelled.status_code == 200, cancelled.text
    refused = await phone.goto(url)
    assert refused is not None and refused.status == 410
    await expect(phone.get_by_role("heading", name="This link has expired")).to_be_visible()
    await _shows_nothing_of(phone, order)
    assert await serious_violations(phone) == []
    qr = await phone.goto(f"{url}/qr.svg")
    assert qr is not None and qr.status == 410


async def test_a_wrong_token_gets_a_plain_page_whether_the_order_runs_or_ended(
    phone: Page, no_grace: str, api: httpx.AsyncClient
) -> None:
    running, ended = placement(lines=[("TENT-2P", 1)]), placement(lines=[("TENT-2P", 1)])
    for order in (running, ended):
        assert (await place(api, order)).status_code == 201
    assert (await api.post(f"/v1/orders/{ended.order_id}/cancel", json={"reason": "test"})).status_code == 200
    for order in (running, ended):
        url = page_url(SECRET, no_grace, order.order_id)
        assert url
        wrong = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
        refused = await phone.goto(wrong)
        assert refused is not None and refused.status == 404  # a wrong token learns nothing, expired or not
        await expect(phone.get_by_role("heading", name="This link does not open an order")).to_be_visible()
        await _shows_nothing_of(phone, order)
