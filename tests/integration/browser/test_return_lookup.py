"""Finding the order for a return at the counter, in Chromium, the way a scanner types into the field
(the text, then Enter): the customer's pickup QR (the code it was collected with), the return code on the
email receipt (a QR code of the order id, read back from the image the receipt links to), and a code two
orders share, refused in words. Through the API too: the pickup code as the `order` of POST /v1/returns."""

import re
import uuid
from urllib.parse import urlparse

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import returns
from adapters.db.tables import collected_pickup_codes as codes
from tests.conftest import placement
from tests.integration.browser.conftest import sign_in
from tests.integration.browser.qr_read import modules, modules_of
from tests.integration.flow import pickup_code, place, prepare, step
from tests.integration.test_stock import new_sku

pytestmark = pytest.mark.integration
SEVERAL = "Several orders have this code. Scan the return code on the receipt or type the order number."


async def _collected(api: httpx.AsyncClient, engine: AsyncEngine) -> tuple[str, str, str]:
    """An order collected at Paris Rivoli: its id, channel number and the code it was collected with."""
    order = placement(lines=[(await new_sku(engine, 1, store_id="paris-rivoli"), 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    code = await pickup_code(api, order)
    assert (await step(api, order, "collect", {"pickup_code": code})).status_code == 200
    return order.order_id, order.channel_order_id, code


async def _scan(page: Page, text: str) -> None:
    """What a scanner does: types what it read into the focused field, then Enter."""
    field = page.get_by_label("Order number or code")
    await expect(field).to_be_focused()
    await field.fill(text)
    await field.press("Enter")


async def _receipt_code_url(api: httpx.AsyncClient, order_id: str) -> str:
    messages = (await api.get(f"/v1/orders/{order_id}/notifications")).json()
    [receipt] = [m for m in messages if m["kind"] == "receipt" and m["channel"] == "email"]
    assert f"code retour : {order_id}" in receipt["body"]  # the test customer reads French
    found = re.search(r"(\S+/return-code\.svg)", receipt["body"])
    assert found, receipt["body"]
    return found.group(1)


async def test_the_order_is_found_by_the_customers_qr_and_by_the_receipts_return_code(
    page: Page, console: str, api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order_id, number, code = await _collected(api, engine)
    await sign_in(page, console)
    await page.goto(f"{console}/store/returns")
    await _scan(page, code)  # the pickup page's QR encodes the six digits
    await expect(page.get_by_role("heading", name=f"Order #{number}")).to_be_visible()

    link = await _receipt_code_url(api, order_id)  # the receipt links its return code's image
    image = await page.request.get(console + urlparse(link).path)
    assert image.ok and image.headers["content-type"] == "image/svg+xml"
    assert modules(await image.text()) == modules_of(order_id)  # the QR code of exactly the order id
    await page.goto(f"{console}/store/returns")
    await _scan(page, order_id)
    await expect(page.get_by_role("heading", name=f"Order #{number}")).to_be_visible()


async def test_a_code_two_orders_were_collected_with_asks_for_the_receipt(
    page: Page, console: str, api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    first_id, first_number, code = await _collected(api, engine)
    other_id, _, _ = await _collected(api, engine)
    async with engine.begin() as conn:  # codes repeat across orders: make the other share this one
        await conn.execute(codes.delete().where(codes.c.order_id == other_id))
        await returns.remember_pickup_code(conn, other_id, code)
    await sign_in(page, console)
    await page.goto(f"{console}/store/returns")
    await _scan(page, code)
    await expect(page.get_by_text(SEVERAL)).to_be_visible()
    await _scan(page, first_number)
    await expect(page.get_by_role("heading", name=f"Order #{first_number}")).to_be_visible()

    body = {
        "order": code,
        "store_id": "paris-rivoli",
        "request_key": uuid.uuid4().hex,
        "lines": [{"sku": "X", "reason": "defective", "conditions": ["damaged"]}],
    }
    refused = await api.post("/v1/returns", json=body)
    assert refused.status_code == 422, refused.text
    assert (refused.json()["error"], refused.json()["field"]) == ("several_orders", "order")


async def test_a_return_recorded_through_the_api_by_the_pickup_code(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order_id, _, code = await _collected(api, engine)
    sku = (await api.get(f"/v1/orders/{order_id}")).json()["placement"]["lines"][0]["sku"]
    body = {
        "order": f" {code} ",  # as a scanner may send it
        "store_id": "lyon-part-dieu",
        "request_key": uuid.uuid4().hex,
        "lines": [{"sku": sku, "reason": "changed_mind", "conditions": ["damaged"]}],
    }
    recorded = await api.post("/v1/returns", json=body)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["order_id"] == order_id
