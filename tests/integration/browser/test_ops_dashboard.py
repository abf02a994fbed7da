"""The ops dashboard in Chromium: an ops key signs in, a store key does not; the KPIs of real orders
appear as figures and server-drawn charts with the seed targets as lines; axe finds nothing serious.
With OMS_SCREENS=1 the screenshot goes to docs/screens/."""

import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import support
from tests.conftest import placement
from tests.integration.browser.conftest import PHONE, TABLET, serious_violations
from tests.integration.flow import pickup_code, place, prepare, step, stock
from workflows.contracts import SupportAlert

pytestmark = pytest.mark.integration
SCREENS = Path(__file__).parents[3] / "docs" / "screens"


async def _history(api: httpx.AsyncClient) -> None:
    """Orders at two stores: collected (Lyon's brought back, defective), waiting, cancelled, rejected by
    the store; and a count."""
    for store in ("lyon-part-dieu", "paris-rivoli"):
        collected, waiting, cancelled = (
            placement(store_id=store, lines=[("BOTTLE-1L", 1)]) for _ in range(3)
        )
        for order in (collected, waiting, cancelled):
            assert (await place(api, order)).status_code == 201
        await prepare(api, collected)
        code = await pickup_code(api, collected)
        assert (await step(api, collected, "collect", {"pickup_code": code})).status_code == 200
        if store == "lyon-part-dieu":
            line = {"sku": "BOTTLE-1L", "reason": "defective", "conditions": ["damaged"]}
            body = {
                "order": collected.order_id,
                "store_id": store,
                "request_key": uuid.uuid4().hex,
                "lines": [line],
            }
            assert (await api.post("/v1/returns", json=body)).status_code == 201
        await prepare(api, waiting)
        cancel = await api.post(f"/v1/orders/{cancelled.order_id}/cancel", json={"reason": "customer asked"})
        assert cancel.status_code == 200
    rejected = placement(store_id="paris-rivoli", lines=[("BOTTLE-1L", 1)])
    assert (await place(api, rejected)).status_code == 201
    assert (await step(api, rejected, "reject", {"reason": "till broken"})).status_code == 200
    on_hand = (await stock(api, "lyon-part-dieu", "HEADLAMP-300"))["on_hand"]
    count = {
        "event_id": f"count-{uuid.uuid4().hex[:8]}",
        "store_id": "lyon-part-dieu",
        "sku": "HEADLAMP-300",
        "type": "count",
        "quantity": max(0, on_hand - 1),
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    assert (await api.post("/v1/inventory/events", json=[count])).status_code == 200


async def _sign_in(page: Page, console: str, key: str) -> None:
    await page.goto(f"{console}/ops/")
    await page.get_by_label("Ops key").fill(key)
    await page.get_by_role("button", name="Sign in").click()


async def test_a_store_key_does_not_open_the_ops_dashboard(page: Page, console: str) -> None:
    await _sign_in(page, console, "test-store-paris")
    await expect(page.get_by_text("This is not an ops key.")).to_be_visible()
    await page.goto(f"{console}/ops/")
    await expect(page.get_by_role("heading", name="Sign in to the ops dashboard")).to_be_visible()


@pytest.mark.parametrize("size", ["tablet", "phone"])
async def test_ops_see_the_kpis_with_charts_and_targets(
    browser: Browser, console: str, api: httpx.AsyncClient, size: str
) -> None:
    if size == "tablet":
        await _history(api)
    context = await browser.new_context(viewport=TABLET if size == "tablet" else PHONE, locale="en-GB")
    page = await context.new_page()
    await _sign_in(page, console, "test-ops")
    await expect(page.get_by_role("heading", name="Click & collect KPIs")).to_be_visible()
    await expect(page.get_by_text("Pickup conversion", exact=True).first).to_be_visible()
    prep = page.get_by_role("img", name="Time to ready (average), per day")
    await expect(prep).to_be_visible()
    assert "Target: ready within 15 minutes on average" in (await prep.get_attribute("aria-label") or "")
    pickup = page.get_by_role("img", name="Pickup conversion, per store")
    assert "lyon-part-dieu" in (await pickup.get_attribute("aria-label") or "")
    await expect(page.locator("svg[role=img] line.target")).to_have_count(5)
    await expect(
        page.get_by_role("cell", name="reject", exact=True)
        .or_(page.get_by_role("cell", name="customer asked").first)
        .first
    ).to_be_visible()
    await expect(page.get_by_role("row", name="lyon-part-dieu")).to_be_visible()
    await expect(page.get_by_text("Return rate (units)")).to_be_visible()
    reasons = page.get_by_role("region", name="Returns by reason")
    await expect(reasons.get_by_role("cell", name="Defective")).to_be_visible()
    products = page.get_by_role("region", name="Returns per product")
    await expect(products.get_by_role("row", name="BOTTLE-1L")).to_contain_text("Defective")
    problems = await serious_violations(page)
    assert problems == [], problems
    if os.environ.get("OMS_SCREENS") == "1":
        SCREENS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SCREENS / f"ops-kpis-{size}.png", full_page=True)
    csv = await page.request.get(f"{console}/ops/kpis.csv")
    assert csv.ok and (await csv.text()).startswith("scope,day,kpi,detail,value")
    await context.close()


async def test_ops_see_the_open_support_alerts_a_refused_refund_among_them(
    page: Page, console: str, engine: AsyncEngine, api: httpx.AsyncClient
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201  # an alert names an order that exists
    detail = f"return 1 (return-{order.order_id}-1): refund of 10.00 EUR refused: PaymentConflict: exceeds"
    alert = SupportAlert(order_id=order.order_id, kind="refund_refused", detail=detail, key=uuid.uuid4().hex)
    async with engine.begin() as conn:
        await support.raise_alert(conn, alert)
    await _sign_in(page, console, "test-ops")
    alerts = page.get_by_role("region", name="Latest open alerts")
    row = alerts.get_by_role("row").filter(has_text=order.order_id)
    await expect(row).to_contain_text("refund_refused")
    await expect(row).to_contain_text("PaymentConflict")
    await expect(page.get_by_text(re.compile(r"refund_refused: \d+"))).to_be_visible()
    assert await serious_violations(page) == []
