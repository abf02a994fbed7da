"""Batch picking in Chromium: two accepted orders picked in one walk, each unit told its tote, a wrong
item refused, and both orders picked at the end, under the associate's name."""

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.conftest import placement
from tests.integration.browser.conftest import serious_violations, sign_in
from tests.integration.flow import place, step

pytestmark = pytest.mark.integration
TENT, HEADLAMP, BOOTS = "3760123451017", "3760123451222", "3760123451291"


async def scan(page: Page, code: str) -> None:
    await page.get_by_label("Scan or type a barcode").fill(code)
    await page.get_by_label("Scan or type a barcode").press("Enter")


async def test_two_orders_picked_in_one_walk_each_unit_into_its_tote(
    page: Page, console: str, api: httpx.AsyncClient
) -> None:
    first = placement(lines=[("TENT-2P", 1), ("HEADLAMP-300", 1)])
    second = placement(lines=[("HEADLAMP-300", 1), ("BOTTLE-1L", 1)])
    for order in (first, second):
        assert (await place(api, order)).status_code == 201
        assert (await step(api, order, "accept")).status_code == 200
    await sign_in(page, console, name="Inès")
    await page.get_by_role("link", name="Batch pick").click()
    await page.get_by_label(f"#{first.channel_order_id}").check()
    await page.get_by_label(f"#{second.channel_order_id}").check()
    await page.get_by_role("button", name="Start batch pick").click()
    await expect(page.get_by_role("heading", name="Totes")).to_be_visible()
    assert await serious_violations(page) == []

    # The walk: by shelf location (headlamps in aisle A first), then tote.
    where = await page.locator("table.lines tbody tr td:first-child").all_inner_texts()
    assert where == sorted(where)
    await scan(page, HEADLAMP)
    await expect(page.get_by_role("status")).to_have_text("Tote 1: Headlamp 300 lm (1 of 1)")
    await scan(page, HEADLAMP)
    await expect(page.get_by_role("status")).to_have_text("Tote 2: Headlamp 300 lm (1 of 1)")
    await scan(page, BOOTS)
    await expect(page.get_by_text("Wrong item: no order of this batch has this barcode.")).to_be_visible()
    await scan(page, HEADLAMP)
    await expect(page.get_by_text("Every order of the batch has all its units of this item.")).to_be_visible()
    assert await serious_violations(page) == []
    await page.get_by_role("button", name="Batch done: every order picked").click()
    await expect(page.get_by_text("2 units still to pick.")).to_be_visible()
    await scan(page, TENT)
    await expect(page.get_by_role("status")).to_have_text("Tote 1: Two-person dome tent (1 of 1)")
    await page.get_by_label("Units of Insulated bottle 1 l in tote 2").fill("1")  # typed, not scanned
    await page.get_by_role("button", name="Batch done: every order picked").click()
    await expect(page.get_by_role("status")).to_have_text("2 orders picked: stage each bag.")

    for order in (first, second):
        recorded = (await api.get(f"/v1/orders/{order.order_id}")).json()
        assert recorded["status"] == "picked"
        assert recorded["timeline"][-1]["actor"] == "store:paris-rivoli/associate:Inès"
