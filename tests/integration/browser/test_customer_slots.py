"""Pickup slots on the customer's page, in Chromium at phone size: a slot booked, then changed; the old
slot's place is free again and the new one's taken."""

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from services import slots
from tests.conftest import placement
from tests.integration.browser.conftest import serious_violations
from tests.integration.browser.test_customer_page import english, link, phone  # noqa: F401 - fixture
from tests.integration.browser.test_screens import _shoot
from tests.integration.conftest import eventually
from tests.integration.flow import place

pytestmark = pytest.mark.integration
SAVED = "Saved: the store prepares your order for this slot."


async def _remaining(engine: AsyncEngine, starts_at: str) -> int:
    moment = datetime.fromisoformat(starts_at)
    async with engine.connect() as conn:
        day = await slots.day_slots(conn, "paris-rivoli", moment.astimezone(ZoneInfo("Europe/Paris")).date())
    return next(slot.remaining or 0 for slot in day if slot.starts_at == moment)


async def test_a_slot_booked_and_changed_on_the_page(
    phone: Page,  # noqa: F811 - the fixture
    console: str,
    api: httpx.AsyncClient,
    engine: AsyncEngine,
) -> None:
    order = english(placement(lines=[("BOTTLE-1L", 1)]))
    assert (await place(api, order)).status_code == 201
    await phone.goto(link(console, order.order_id))
    await expect(phone.get_by_role("heading", name="Pickup slot")).to_be_visible()
    await expect(phone.get_by_text("Choose when you collect")).to_be_visible()

    choices = phone.get_by_label("Slot", exact=True)
    options = await choices.locator("option").evaluate_all("(all) => all.map(o => o.value)")
    first, second = options[-2], options[-1]  # the last slots of the week: no other test books them
    before_first, before_second = await _remaining(engine, first), await _remaining(engine, second)
    await choices.select_option(first)
    await phone.get_by_role("button", name="Book this slot").click()
    await expect(phone.get_by_role("status")).to_have_text(
        "Saved: the store prepares your order for this slot."
    )
    await expect(phone.get_by_text("Your pickup slot:")).to_be_visible()
    assert await _remaining(engine, first) == before_first - 1
    assert await serious_violations(phone) == []

    changing = phone.get_by_label("Change the slot")
    await expect(changing).to_have_value(first)
    await changing.select_option(second)
    await phone.get_by_role("button", name="Change slot").click()
    await expect(phone.get_by_role("status")).to_have_text(
        "Saved: the store prepares your order for this slot."
    )
    await expect(phone.get_by_label("Change the slot")).to_have_value(second)
    await phone.get_by_role("heading", name="Pickup slot").scroll_into_view_if_needed()
    await _shoot(phone, "customer-slot", "phone")  # axe-core; with OMS_SCREENS=1 into docs/screens/
    assert await _remaining(engine, first) == before_first
    assert await _remaining(engine, second) == before_second - 1
    async with engine.connect() as conn:
        booked = await slots.booking(conn, order.order_id)
    assert booked is not None and booked.starts_at == datetime.fromisoformat(second)

    async def heard() -> bool:
        seen = (await api.get(f"/v1/orders/{order.order_id}")).json()
        return (
            bool(seen["pickup_slot"])
            and datetime.fromisoformat(seen["pickup_slot"]["starts_at"]) == booked.starts_at
        )

    await eventually(heard)  # the order's workflow heard the change
