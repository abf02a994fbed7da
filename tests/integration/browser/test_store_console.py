"""The store console in Chromium, as an associate uses it: sign in, see a new order arrive, accept, pick
by scanning (one wrong item), stage, hand over with one wrong code and a partial collection; a short pick;
another store's device and a form without its CSRF token refused; no serious accessibility violation."""

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.conftest import placement
from tests.integration.browser.conftest import serious_violations, sign_in
from tests.integration.flow import pickup_code, place, step

pytestmark = pytest.mark.integration
TENT, HEADLAMP, BOOTS = "3760123451017", "3760123451222", "3760123451291"


async def accessible(page: Page) -> None:
    assert await serious_violations(page) == []


async def scan(page: Page, code: str) -> None:
    await page.get_by_label("Scan or type a barcode").fill(code)
    await page.get_by_label("Scan or type a barcode").press("Enter")


async def test_an_order_from_arrival_to_partial_handover(
    page: Page, console: str, api: httpx.AsyncClient
) -> None:
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    await sign_in(page, console)
    await accessible(page)
    order = placement(lines=[("TENT-2P", 1), ("HEADLAMP-300", 2)])
    order.customer.name = "Noor Haddad"
    assert (await place(api, order)).status_code == 201

    await expect(page.get_by_role("alert")).to_contain_text("New orders arrived", timeout=15_000)
    pushed = [url for url in asked if "/store/queue/" in url]
    assert pushed and all("/store/queue/events" in url for url in pushed), "server-sent, not polled"
    await page.get_by_role("link", name=f"#{order.channel_order_id}").click()
    await accessible(page)
    await page.get_by_role("button", name="Accept order").click()
    await expect(page.get_by_role("status")).to_have_text("Order accepted. Pick it now.")

    await scan(page, BOOTS)
    await expect(page.get_by_text("Wrong item: this barcode is not on this order.")).to_be_visible()
    await accessible(page)
    for code, counted in ((TENT, "Two-person dome tent: 1 of 1"), (HEADLAMP, "Headlamp 300 lm: 1 of 2")):
        await scan(page, code)
        await expect(page.get_by_role("status")).to_have_text(counted)
    await page.get_by_label("Units of Headlamp 300 lm picked").fill("2")  # typed, not scanned
    await page.get_by_role("button", name="Picking done").click()
    await expect(page.get_by_role("status")).to_contain_text("Picking done")

    await page.get_by_label("Staging location").fill("shelf B3")
    await page.get_by_role("button", name="Ready for pickup").click()
    await expect(page.get_by_role("status")).to_contain_text("the customer has been sent their code")
    await accessible(page)

    code = await pickup_code(api, order)
    await page.get_by_role("link", name="Orders", exact=True).click()  # the customer shows their code
    await page.get_by_label("Find an order").fill(code)
    await page.get_by_role("button", name="Search").click()
    await expect(
        page.get_by_role("heading", name=f"Order #{order.channel_order_id} · Noor Haddad")
    ).to_be_visible()
    await page.get_by_label("Pickup code").fill(f"{(int(code) + 1) % 1_000_000:06d}")
    await page.get_by_role("button", name="Hand over").click()
    await expect(
        page.get_by_text("That is not this order's pickup code. Each wrong code counts")
    ).to_be_visible()
    await page.get_by_label("Pickup code").fill(code)
    await page.get_by_label("Units of Headlamp 300 lm the customer takes").fill("1")
    await page.get_by_role("button", name="Hand over").click()
    await expect(page.get_by_role("status")).to_have_text("Handed over. Thank you!")

    recorded = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert recorded["status"] == "collected"
    assert sorted(recorded["collected"], key=str) == [
        {"sku": "HEADLAMP-300", "quantity": 1},
        {"sku": "TENT-2P", "quantity": 1},
    ]
    actors = {entry["actor"] for entry in recorded["timeline"][1:]}
    assert actors >= {"store:paris-rivoli/associate:Camille"}


async def test_without_event_source_the_queue_is_polled_and_still_shows_new_orders(
    page: Page, console: str, api: httpx.AsyncClient
) -> None:
    await page.add_init_script("delete window.EventSource")
    await sign_in(page, console, name="Jade")
    order = placement(lines=[("BOTTLE-1L", 1)])
    order.customer.name = "Omar Said"
    assert (await place(api, order)).status_code == 201
    await expect(page.get_by_role("alert")).to_contain_text("New orders arrived", timeout=15_000)
    await expect(page.get_by_role("link", name=f"#{order.channel_order_id}")).to_be_visible()


async def test_a_short_pick_with_its_reason(page: Page, console: str, api: httpx.AsyncClient) -> None:
    order = placement(lines=[("STOVE-GAS", 2)])
    assert (await place(api, order)).status_code == 201
    assert (await step(api, order, "accept")).status_code == 200
    await sign_in(page, console, name="Léa")
    await page.goto(f"{console}/store/orders/{order.order_id}")
    await page.get_by_text("Something missing or damaged?").click()
    await page.get_by_label("Units of Compact gas stove missing").fill("1")
    await page.get_by_label("Why Compact gas stove is missing").select_option(label="Damaged")
    await accessible(page)
    await page.get_by_role("button", name="Report short pick").click()
    # The default policy moves the whole order to a store that has everything: it leaves this queue.
    await expect(page.get_by_role("status")).to_contain_text(f"order #{order.channel_order_id} moved")
    recorded = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert recorded["store"]["id"] != "paris-rivoli"
    assert "short pick: 1 × STOVE-GAS damaged" in recorded["timeline"][-1]["reason"]


async def test_another_stores_device_and_a_form_without_its_token_are_refused(
    page: Page, console: str, api: httpx.AsyncClient
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)], store_id="lyon-part-dieu")
    assert (await place(api, order)).status_code == 201
    await sign_in(page, console, name="Hugo")
    answer = await page.goto(f"{console}/store/orders/{order.order_id}")
    assert answer is not None and answer.status == 403
    await expect(page.get_by_text("This order belongs to another store.")).to_be_visible()
    await accessible(page)

    status = await page.evaluate(
        """async (url) => (await fetch(url, {method: "POST", body: new FormData()})).status""",
        f"{console}/store/orders/{order.order_id}/accept",
    )
    assert status == 403
    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_label("Store key").fill("test-channel-webshop")
    await page.get_by_label("Your name").fill("Eve")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text("This is not a store key.")).to_be_visible()
