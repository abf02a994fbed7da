"""Every console screen at tablet and phone size, checked by axe-core; with OMS_SCREENS=1 (as
`python -m tests.integration.browser.screens` sets it) the screenshots are written to docs/screens/."""

import os
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page

from tests.conftest import placement
from tests.integration.browser.conftest import PHONE, TABLET, serious_violations, sign_in
from tests.integration.flow import pickup_code, place, prepare, step

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
    second = placement(lines=[("HEADLAMP-300", 1), ("BOTTLE-1L", 1)], store_id="lyon-part-dieu")
    second.customer.name = "Jules Roux"
    assert (await place(api, second)).status_code == 201
    assert (await step(api, second, "accept")).status_code == 200
    await page.goto(f"{console}/store/batch")
    await _shoot(page, "batch-choose", size)
    await page.goto(f"{console}/store/batch?order={accepted}&order={second.order_id}")
    await page.get_by_label("Scan or type a barcode").fill("3760123451222")
    await page.get_by_label("Scan or type a barcode").press("Enter")
    await page.get_by_text("Tote 1: Headlamp 300 lm").wait_for()
    await _shoot(page, "batch-walk", size)
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
    await page.goto(f"{console}/store/language/en?back=/store/")
    await _signature(page, console, api, size)
    await context.close()


async def _signature(page: Page, console: str, api: httpx.AsyncClient, size: str) -> None:
    """La Défense asks for the customer's signature: the pad, then the proof as support sees it."""
    order = placement(lines=[("BOTTLE-1L", 1)], store_id="paris-la-defense")
    order.customer.name = "Yara Benali"
    assert (await place(api, order)).status_code == 201
    await prepare(api, order, staging="locker 4")
    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_label("Store key").fill("test-store-defense")
    await page.get_by_label("Your name").fill("Malik")
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(f"{console}/store/orders/{order.order_id}")
    canvas = page.get_by_role("img", name="Customer's signature")
    await canvas.scroll_into_view_if_needed()
    pad = await canvas.bounding_box()
    assert pad is not None
    await page.mouse.move(pad["x"] + 30, pad["y"] + pad["height"] * 0.6)
    await page.mouse.down()
    for i in range(1, 16):
        height = pad["height"] * (0.6 - 0.3 * ((i % 4) in (1, 2)))
        await page.mouse.move(pad["x"] + 30 + i * pad["width"] / 20, pad["y"] + height)
    await page.mouse.up()
    await page.get_by_label("Pickup code").fill(await pickup_code(api, order))
    await _shoot(page, "handover-signature", size)
    await page.get_by_role("button", name="Hand over").click()
    await page.get_by_text("Handed over. Thank you!").wait_for()
    await _shoot(page, "collected-proof", size)
