"""The customer's pickup page at phone size, checked by axe-core; with OMS_SCREENS=1 (as
`python -m tests.integration.browser.screens` sets it) the screenshots go to docs/screens/customer-*.png."""

import httpx
import pytest
from playwright.async_api import Browser
from sqlalchemy.ext.asyncio import AsyncEngine

from services.pickup_page import page_url
from tests.conftest import placement
from tests.integration.browser.conftest import PHONE, TABLET, sign_in
from tests.integration.browser.test_screens import _shoot
from tests.integration.flow import place, prepare, step
from tests.integration.test_stock import new_sku

pytestmark = pytest.mark.integration


async def test_every_customer_screen_passes_axe_at_phone_size(
    browser: Browser, console: str, api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="en-GB")
    page = await context.new_page()
    order = placement(lines=[("BOTTLE-1L", 1), ("HEADLAMP-300", 1)], store_id="lyon-part-dieu")
    order.customer.locale, order.customer.name = "en", "Inès Moreau"
    assert (await place(api, order)).status_code == 201
    url = page_url("test-tracking-secret", console, order.order_id)
    assert url
    await page.goto(url)
    await _shoot(page, "customer-preparing", "phone")
    await prepare(api, order)
    await page.reload()
    await _shoot(page, "customer-ready", "phone")
    await page.get_by_label("I'm here").check()
    await page.get_by_label("At the curb: the store brings it to my car").check()
    await page.get_by_label("Your car (for curbside)").fill("blue Zoe GH-456-JK")
    await page.get_by_label("Bay number (once you are here)").fill("2")
    await page.get_by_role("button", name="Tell the store").click()
    await page.get_by_text("The store knows you are at the curb").wait_for()
    await _shoot(page, "customer-checked-in", "phone")
    await page.goto(url + "?lang=fr")
    await _shoot(page, "customer-ready-fr", "phone")

    sku = await new_sku(engine, on_hand=2, store_id="lyon-part-dieu")
    asking = placement(lines=[(sku, 2)], store_id="lyon-part-dieu")
    assert (await place(api, asking)).status_code == 201
    assert (await step(api, asking, "accept")).status_code == 200
    body = {"lines": [{"sku": sku, "missing": 1, "reason": "damaged"}]}
    assert (await step(api, asking, "short-pick", body)).status_code == 200
    choice_url = page_url("test-tracking-secret", console, asking.order_id)
    assert choice_url
    await page.goto(choice_url + "?lang=en")
    await _shoot(page, "customer-choice", "phone")
    await page.goto(choice_url[:-4] + "AAAA")
    await _shoot(page, "customer-wrong-link", "phone")
    await context.close()

    store = await browser.new_context(viewport=TABLET, locale="en-GB")
    tablet = await store.new_page()
    await sign_in(tablet, console, key="test-store-lyon")
    await _shoot(tablet, "customer-check-in-on-queue", "tablet")
    await tablet.goto(f"{console}/store/orders/{order.order_id}")
    await _shoot(tablet, "customer-check-in-at-handover", "tablet")
    await store.close()
