"""The returns screen in Chromium, as an associate uses it: find a collected order by its number, choose
what comes back per unit and why, record it; nothing chosen and an order never collected are refused in
words; axe-core finds no serious violation. With OMS_SCREENS=1 the screens go to docs/screens/."""

import os
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.conftest import placement
from tests.integration.browser.conftest import PHONE, serious_violations, sign_in
from tests.integration.conftest import eventually
from tests.integration.flow import pickup_code, place, prepare, step

pytestmark = pytest.mark.integration
SCREENS = Path(__file__).parents[3] / "docs" / "screens"


async def _shoot(page: Page, name: str) -> None:
    assert await serious_violations(page) == [], name
    if os.environ.get("OMS_SCREENS") == "1":
        SCREENS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENS / f"{name}.png", full_page=True)


async def _collected(api: httpx.AsyncClient) -> str:
    order = placement(lines=[("BOOTS-42", 1), ("HEADLAMP-300", 2)])
    order.customer.name = "Léa Fontaine"
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    collected = await step(api, order, "collect", {"pickup_code": await pickup_code(api, order)})
    assert collected.status_code == 200, collected.text
    return order.channel_order_id


async def test_a_return_recorded_at_the_counter(page: Page, console: str, api: httpx.AsyncClient) -> None:
    number = await _collected(api)
    await sign_in(page, console)
    await page.get_by_role("link", name="Returns").click()
    await _shoot(page, "returns-find-tablet")
    await page.get_by_label("Order number").fill(number)
    await page.get_by_role("button", name="Find the order").click()

    await page.get_by_role("button", name="Record the return and refund").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "Choose at least one unit coming back, and its condition."
    )

    await page.get_by_label("Unit 1").nth(1).select_option(label="Back on the shelf: as new")  # the headlamps
    await page.get_by_label("Unit 2").select_option(label="Damaged: write off")
    await page.get_by_role("button", name="Record the return and refund").click()
    await expect(page.get_by_role("alert")).to_have_text("Choose why HEADLAMP-300 comes back.")
    await page.get_by_label("Reason").nth(1).select_option(label="Defective")
    await page.get_by_label("Unit 1").nth(1).select_option(label="Back on the shelf: as new")
    await page.get_by_label("Unit 2").select_option(label="Damaged: write off")
    await _shoot(page, "returns-choose-tablet")
    await page.get_by_role("button", name="Record the return and refund").click()
    await expect(page.get_by_role("status")).to_contain_text("Return 1 recorded: €20.00")

    order_id = f"order-webshop-{number}"

    async def closed() -> bool:
        answer = (await api.get(f"/v1/orders/{order_id}")).json()
        return [r["status"] for r in answer["returns"]] == ["closed"]

    await eventually(closed)
    await page.get_by_label("Order number").fill(number)
    await page.get_by_role("button", name="Find the order").click()
    await expect(page.get_by_text("HEADLAMP-300 · 2 taken home · 2 already returned")).to_be_visible()
    await expect(page.get_by_text("Nothing left to return on this line.")).to_be_visible()
    await page.set_viewport_size(PHONE)
    await _shoot(page, "returns-choose-phone")


async def test_an_order_never_collected_is_refused_next_to_its_number(
    page: Page, console: str, api: httpx.AsyncClient
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    await sign_in(page, console)
    await page.goto(f"{console}/store/returns")
    await page.get_by_label("Order number").fill(order.channel_order_id)
    await page.get_by_role("button", name="Find the order").click()
    await expect(page.get_by_text("This order was never collected: nothing to return.")).to_be_visible()
    await _shoot(page, "returns-refused-tablet")
