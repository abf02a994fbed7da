"""Handover where the retailer asks for the customer's signature (La Défense in these tests): the bag
label's code opens its order from the scan box, the customer signs on the tablet, and the signature is
kept with the order and shown to support."""

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.conftest import placement
from tests.integration.browser.conftest import serious_violations, sign_in
from tests.integration.flow import pickup_code, place, prepare

pytestmark = pytest.mark.integration


async def test_a_bag_label_opens_its_order_and_the_customer_signs_for_it(
    page: Page, console: str, api: httpx.AsyncClient
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)], store_id="paris-la-defense")
    order.customer.name = "Yara Benali"
    assert (await place(api, order)).status_code == 201
    await prepare(api, order, staging="locker 4")
    await sign_in(page, console, key="test-store-defense", name="Malik")

    await page.goto(f"{console}/store/orders/{order.order_id}/label")
    label = page.get_by_role("img", name=f"Scannable code of order #{order.channel_order_id}")
    await expect(label).to_be_visible()
    assert await label.locator("svg path").count() == 1  # drawn by the server, no image file
    await expect(page.get_by_text("closing time")).to_be_visible()  # the hold ends when the store closes
    assert await serious_violations(page) == []

    await page.goto(f"{console}/store/")
    await page.get_by_label("Find an order").fill(order.order_id)  # what the label's code reads
    await page.get_by_label("Find an order").press("Enter")
    await expect(page.get_by_role("status")).to_have_text("Bag label scanned: here is its order.")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Yara Benali")
    await page.get_by_label("Pickup code").fill(order.order_id)  # the bag, checked at the counter
    await page.get_by_label("Pickup code").press("Enter")
    await expect(page.get_by_role("status")).to_have_text("Right bag: this label is this order's.")

    code = await pickup_code(api, order)
    await page.get_by_label("Pickup code").fill(code)
    await page.get_by_role("button", name="Hand over").click()
    await expect(page.get_by_text("Ask the customer to sign in the box, then hand over.")).to_be_visible()
    assert await serious_violations(page) == []

    pad = page.get_by_role("img", name="Customer's signature")
    await pad.scroll_into_view_if_needed()
    box = await pad.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    await page.mouse.down()
    for step in range(1, 12):
        await page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.7 - (step % 3) * 0.2))
    await page.mouse.up()
    await page.get_by_label("Pickup code").fill(code)
    await page.get_by_role("button", name="Hand over").click()
    await expect(page.get_by_role("status")).to_have_text("Handed over. Thank you!")
    await expect(page.get_by_role("img", name="Customer signature")).to_be_visible()

    recorded = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert recorded["status"] == "collected"
    assert recorded["proof"]["kind"] == "signature" and recorded["proof"]["signature"].startswith("M")
    assert recorded["timeline"][-1]["actor"] == "store:paris-la-defense/associate:Malik"
