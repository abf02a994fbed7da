"""Every console screen at tablet and phone size, checked by axe-core; with OMS_SCREENS=1 (as
`python -m tests.integration.browser.screens` sets it) the screenshots are written to docs/screens/."""

import os
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page

from tests.conftest import placement
from tests.integration.browser.conftest import PHONE, TABLET, serious_violations, sign_in
from tests.integration.flow import place, step

pytestmark = pytest.mark.integration
SCREENS = Path(__file__).parents[3] / "docs" / "screens"
CUSTOMERS = ["Inès Moreau", "Tom Becker", "Aïcha Diallo", "Lucas Petit"]


async def _orders(api: httpx.AsyncClient) -> list[str]:
    """Four orders at Lyon Part-Dieu (Paris Rivoli's queue is other tests'): new, accepted, picked, ready."""
    made = []
    for index, name in enumerate(CUSTOMERS):
        lines = [("BOTTLE-1L", 1), ("HEADLAMP-300", 1), ("SLEEPBAG-5C", 1)][: 3 - index % 2]
        order = placement(lines=lines, store_id="lyon-part-dieu")
        order.customer.name = name
        assert (await place(api, order)).status_code == 201
        steps = [
            ("accept", None),
            ("pick", {"lines": [{"sku": line.sku, "quantity": line.quantity} for line in order.lines]}),
            ("ready", {"staging_location": "shelf B3"}),
        ]
        for action, body in steps[: 3 - index]:
            assert (await step(api, order, action, body)).status_code == 200
        made.append(order.order_id)
    return made


async def _shoot(page: Page, name: str, size: str) -> None:
    problems = await serious_violations(page)
    assert problems == [], f"{name} at {size}: {problems}"
    if os.environ.get("OMS_SCREENS") == "1":
        SCREENS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENS / f"{name}-{size}.png", full_page=True)


@pytest.mark.parametrize("size", ["tablet", "phone"])
async def test_every_screen_passes_axe_at_tablet_and_phone_size(
    browser: Browser, console: str, api: httpx.AsyncClient, size: str
) -> None:
    context = await browser.new_context(viewport=TABLET if size == "tablet" else PHONE, locale="en-GB")
    page = await context.new_page()
    ready, picked, accepted, new = await _orders(api)
    await page.goto(f"{console}/store/sign-in")
    await _shoot(page, "sign-in", size)
    await sign_in(page, console, key="test-store-lyon")
    await _shoot(page, "queue", size)
    await page.goto(f"{console}/store/orders/{new}")
    await _shoot(page, "order-new", size)
    await page.goto(f"{console}/store/orders/{accepted}")
    await page.get_by_label("Scan or type a barcode").fill("3760123451291")
    await page.get_by_label("Scan or type a barcode").press("Enter")
    await page.get_by_text("Wrong item: this barcode").wait_for()
    await _shoot(page, "pick-wrong-item", size)
    await page.get_by_text("Something missing or damaged?").click()
    await _shoot(page, "short-pick", size)
    await page.goto(f"{console}/store/orders/{picked}")
    await _shoot(page, "stage", size)
    await page.goto(f"{console}/store/orders/{picked}/ticket")
    await _shoot(page, "pick-ticket", size)
    await page.goto(f"{console}/store/orders/{ready}")
    await page.get_by_label("Pickup code").fill("000000")
    await page.get_by_role("button", name="Hand over").click()
    await page.get_by_text("That is not this order's pickup code").wait_for()
    await _shoot(page, "handover-wrong-code", size)
    await page.goto(f"{console}/store/orders/{ready}/label")
    await _shoot(page, "bag-label", size)
    await page.goto(f"{console}/store/stock?code=3760123451017")
    await _shoot(page, "stock", size)
    await page.goto(f"{console}/store/language/fr?back=/store/")
    await _shoot(page, "queue-fr", size)
    await context.close()
