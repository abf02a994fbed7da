"""The customer's pickup page in Chromium at phone size, as a customer uses it: the order through its
life (received, ready with its QR code, collected), the QR code is the one of the code the store console
takes at handover, someone else named to collect, a check-in that shows on the store console without a
reload, a choice answered on the page and carried out, a cancellation before picking, wrong links and
forms without their CSRF token refused; the store's special days (today's hours, closures ahead) and a
hold ending at closing time; no serious accessibility violation."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from domain import ids
from domain.values import OrderPlacement
from services.pickup_page import page_url
from tests.conftest import placement
from tests.integration.browser.conftest import PHONE, TABLET, serious_violations, sign_in
from tests.integration.browser.qr_read import modules, modules_of
from tests.integration.browser.test_screens import _shoot
from tests.integration.conftest import add_store, keep_history
from tests.integration.flow import pickup_code, place, prepare, step
from tests.integration.test_stock import new_sku

pytestmark = pytest.mark.integration
SECRET = "test-tracking-secret"


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=PHONE, locale="en-GB")
    yield await context.new_page()
    await context.close()


@pytest.fixture
async def tablet(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=TABLET, locale="en-GB")
    yield await context.new_page()
    await context.close()


async def accessible(page: Page) -> None:
    assert await serious_violations(page) == []


def english(order: OrderPlacement) -> OrderPlacement:
    order.customer.locale = "en"  # the page speaks the customer's language
    return order


def link(console: str, order_id: str) -> str:
    url = page_url(SECRET, console, order_id)
    assert url
    return url


async def test_the_page_through_an_orders_life_and_the_qr_code_the_store_accepts(
    phone: Page, tablet: Page, console: str, api: httpx.AsyncClient
) -> None:
    order = english(placement(lines=[("TENT-2P", 1), ("HEADLAMP-300", 2)]))
    order.customer.name = "Maya Okafor"
    assert (await place(api, order)).status_code == 201
    await phone.goto(link(console, order.order_id))
    await expect(phone.get_by_role("heading", name=f"Order {order.channel_order_id}")).to_be_visible()
    await expect(phone.get_by_text("The store is preparing your order.")).to_be_visible()
    await expect(phone.get_by_text("Ready by")).to_be_visible()
    await expect(phone.get_by_text("Two-person dome tent")).to_be_visible()
    await expect(phone.get_by_role("link", name="Open the map")).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=48.86060&mlon=2.34290#map=17/48.86060/2.34290"
    )
    await expect(phone.locator("tr[aria-current=date]")).to_have_count(1)  # today, in the store's timezone
    html = await phone.content()
    assert order.customer.email and order.customer.phone  # the test order has both
    assert order.customer.email not in html and order.customer.phone not in html
    await accessible(phone)

    await phone.get_by_label("Name of the person who collects").fill("Jean Dupont")
    await phone.get_by_role("button", name="Save name").click()
    await expect(phone.get_by_role("status")).to_have_text(
        "Saved: the store will hand the order to this person."
    )

    await prepare(api, order)
    await phone.reload()
    await expect(phone.get_by_text("Your order is ready for pickup.")).to_be_visible()
    code = await pickup_code(api, order)  # as the SMS gave it
    await expect(phone.get_by_text(code, exact=True)).to_be_visible()
    await expect(phone.get_by_text("Collect it by")).to_be_visible()
    qr = phone.get_by_role("img", name=f"QR code of your pickup code {code}")
    shown = modules(await qr.evaluate("svg => svg.outerHTML"))
    assert shown == modules_of(code)  # the QR code of exactly the six digits the handover field takes
    image = await api.get(link("http://oms", order.order_id).removeprefix("http://oms") + "/qr.svg")
    assert image.headers["content-type"] == "image/svg+xml" and modules(image.text) == shown
    await accessible(phone)

    await sign_in(tablet, console, name="Camille")
    await tablet.goto(f"{console}/store/orders/{order.order_id}")
    await expect(tablet.get_by_text("Collected by Jean Dupont, on behalf of the customer")).to_be_visible()
    await tablet.get_by_label("Pickup code").fill(code)  # what a scanner types from the QR code
    await tablet.get_by_role("button", name="Hand over").click()
    await expect(tablet.get_by_role("status")).to_have_text("Handed over. Thank you!")

    await phone.reload()
    await expect(phone.get_by_text("Collected. Thank you!")).to_be_visible()
    await expect(phone.locator("li[aria-current=step]")).to_have_text("Collected")
    assert await phone.get_by_role("img", name="QR code").count() == 0


async def test_a_curbside_check_in_shows_on_the_store_console_without_a_reload(
    phone: Page, tablet: Page, console: str, api: httpx.AsyncClient, client: Client
) -> None:
    order = english(placement(lines=[("BOTTLE-1L", 1)]))
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    await sign_in(tablet, console, name="Hugo")  # the queue, left open
    await phone.goto(link(console, order.order_id))
    await phone.get_by_label("I'm here").check()
    await phone.get_by_label("At the curb: the store brings it to my car").check()
    await phone.get_by_role("button", name="Tell the store").click()
    await expect(phone.get_by_text("describe your car")).to_be_visible()  # said next to the field
    await accessible(phone)
    await phone.get_by_label("Your car (for curbside)").fill("red Clio AB-123-CD")
    await phone.get_by_label("Bay number (once you are here)").fill("3")
    await phone.get_by_role("button", name="Tell the store").click()
    await expect(phone.get_by_role("status").first).to_have_text("Thank you: the store knows you are coming.")
    await expect(phone.get_by_text("The store knows you are at the curb, bay 3")).to_be_visible()
    await expect(phone.get_by_text("We bring it out by")).to_be_visible()

    ready = tablet.get_by_role("region", name="Ready for pickup")
    await expect(ready.get_by_text("At the curb: bay 3, red Clio AB-123-CD")).to_be_visible(timeout=15_000)
    first = ready.get_by_role("listitem").first
    await expect(first).to_contain_text("At the curb")  # checked-in customers on top
    await expect(first).to_contain_text("Bring it out by")
    await accessible(tablet)

    recorded = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert recorded["timeline"][-1]["reason"] == "checked in: here, curbside, red Clio AB-123-CD, bay 3"
    assert recorded["check_in"]["bring_out_by"] is not None
    attributes = (await client.get_workflow_handle(order.order_id).describe()).typed_search_attributes
    assert attributes.get(ids.SA_CHECKED_IN) is True
    code = await pickup_code(api, order)
    assert (await step(api, order, "collect", {"pickup_code": code})).status_code == 200
    await keep_history(client, order.order_id, "curbside_check_in_then_collected")


async def test_a_choice_answered_on_the_page_is_carried_out(
    phone: Page, console: str, api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=2, store_id="paris-rivoli")  # no other store has it
    order = english(placement(lines=[(sku, 2)]))
    assert (await place(api, order)).status_code == 201
    assert (await step(api, order, "accept")).status_code == 200
    short = await step(api, order, "short-pick", {"lines": [{"sku": sku, "missing": 1, "reason": "damaged"}]})
    assert short.json()["status"] == "awaiting_customer", short.text

    await phone.goto(link(console, order.order_id))
    await expect(phone.get_by_role("heading", name="What would you prefer?")).to_be_visible()
    await expect(
        phone.get_by_label("Collect what the store has; the rest is refunded (default)")
    ).to_be_visible()
    await expect(phone.get_by_label("Cancel the order and get a full refund")).to_be_visible()
    await accessible(phone)
    await phone.get_by_role("button", name="Send my answer").click()
    await expect(phone.get_by_text("Choose one of the options.")).to_be_visible()
    await phone.get_by_label("Collect what the store has; the rest is refunded (default)").check()
    await phone.get_by_role("button", name="Send my answer").click()
    await expect(phone.get_by_role("status")).to_have_text("Thank you: your answer has been carried out.")
    await expect(phone.get_by_text("The store is preparing your order.")).to_be_visible()

    recorded = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert recorded["status"] == "picked" and recorded["refunded"] == "10.00"
    assert any("customer will collect what is there" in (e["reason"] or "") for e in recorded["timeline"])


async def test_the_customer_cancels_before_picking_and_no_longer_after(
    phone: Page, console: str, api: httpx.AsyncClient
) -> None:
    order = placement(lines=[("STOVE-GAS", 1)])
    order.customer.locale = "fr"
    assert (await place(api, order)).status_code == 201
    await phone.goto(link(console, order.order_id))
    await expect(phone.get_by_text("Le magasin prépare votre commande.")).to_be_visible()  # their language
    await phone.get_by_role("button", name="Annuler ma commande").click()
    await expect(phone.get_by_role("status")).to_have_text(
        "Votre commande est annulée. Vous ne serez pas débité."
    )
    await expect(phone.get_by_text("Cette commande est annulée.")).to_be_visible()
    recorded = (await api.get(f"/v1/orders/{order.order_id}")).json()
    assert (recorded["status"], recorded["timeline"][-1]["actor"]) == ("cancelled", "customer")
    kinds = {m["kind"] for m in (await api.get(f"/v1/orders/{order.order_id}/notifications")).json()}
    assert "order_cancelled" in kinds

    picked = english(placement(lines=[("STOVE-GAS", 1)]))
    assert (await place(api, picked)).status_code == 201
    assert (await step(api, picked, "accept")).status_code == 200
    lines = [{"sku": "STOVE-GAS", "quantity": 1}]
    assert (await step(api, picked, "pick", {"lines": lines})).status_code == 200
    await phone.goto(link(console, picked.order_id) + "?lang=en")
    await expect(phone.get_by_role("button", name="Cancel my order")).to_have_count(0)


async def test_wrong_links_and_forms_without_their_token_are_refused(
    phone: Page, console: str, api: httpx.AsyncClient
) -> None:
    order = english(placement(lines=[("BOTTLE-1L", 1)]))
    assert (await place(api, order)).status_code == 201
    right = link(console, order.order_id)
    wrong = right[:-4] + ("AAAA" if not right.endswith("AAAA") else "BBBB")
    for url in (wrong, f"{console}/track/order-nobody-X1/{right.rsplit('/', 1)[1]}"):
        answer = await phone.goto(url)
        assert answer is not None and answer.status == 404
        await expect(phone.get_by_role("heading", name="This link does not open an order")).to_be_visible()
        assert "Traceback" not in await phone.content()
    await accessible(phone)
    await phone.goto(right)
    status = await phone.evaluate(
        """async (url) => (await fetch(url, {method: "POST", body: new FormData()})).status""",
        f"{right}/cancel",
    )
    assert status == 403
    assert (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "reserved"


async def test_the_page_shows_todays_special_hours_the_closures_ahead_and_a_hold_to_closing_time(
    phone: Page, console: str, api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    store = await add_store(
        engine,
        "paris-test-calendar",
        name="Paris Calendar (test)",
        address="3 rue du Calendrier",
        latitude=48.86,
        longitude=2.35,
        opening_hours=[{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)],
        special_days=[
            {
                "date": today.isoformat(),
                "hours": [{"opens": "00:00", "closes": "23:30"}],
                "note": "inventory",
            },
            {"date": (today + timedelta(days=2)).isoformat(), "hours": [], "note": "stock count"},
        ],
    )
    sku = await new_sku(engine, on_hand=1, store_id=store)
    order = english(placement(lines=[(sku, 1)], store_id=store))
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    await phone.goto(link(console, order.order_id))
    todays_row = phone.locator("tr[aria-current=date]")
    await expect(todays_row).to_contain_text("00:00–23:30")
    await expect(todays_row).to_contain_text("inventory")
    await expect(phone.get_by_role("heading", name="Changed hours")).to_be_visible()
    await expect(phone.get_by_role("listitem").filter(has_text="stock count")).to_contain_text("Closed")
    await expect(phone.get_by_text("when the store closes")).to_be_visible()  # the hold ends at closing
    await _shoot(phone, "customer-calendar", "phone")  # axe-checked; docs/screens with OMS_SCREENS=1
