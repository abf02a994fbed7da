"""What the simulated day's people do beside the order's steps: a store's POS sells over the counter the
units held for an order (and the next delivery brings them back), customers ask for a pickup slot at
checkout or book one on their pickup page. Each through the HTTP API, as the real ones would."""

import asyncio
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx

from domain.simulation import counter_sale, first_slot

SLOT_LEAD = timedelta(minutes=20)  # the page offers slots from 15 minutes ahead: a margin over it


class Counters(StrEnum):
    """What the end report counts beside the orders' statuses."""

    COUNTER_SALES = "counter sales (POS) of reserved units"
    UNITS_SOLD = "units sold at the counter"
    FEED_IN_TIME = "sales the feed told before picking (the OMS moves the order or asks)"
    PUT_AT_RISK = "orders the sales put at risk"
    SHORT_PICKED_AFTER_SALE = "short picks: the shelf sold before the feed told"
    ASKED_AT_INTAKE = "slots asked at checkout"
    BOOKED_AT_INTAKE = "slots booked at intake"
    ASKED_ON_PAGE = "slots asked on the pickup page"
    BOOKED_ON_PAGE = "slots booked on the pickup page"


@dataclass(frozen=True)
class Sale:
    """Units the counter sold of a SKU, as the store's feed reports them (a delivery brings them back)."""

    key: str
    store_id: str
    sku: str
    units: int
    at: datetime

    async def tell(self, api: httpx.AsyncClient) -> int:
        """The feed reports the sale (dated when it happened); answers the orders it put at risk."""
        event = _event(f"{self.key}-pos", self.store_id, self.sku, "sale", self.units, self.at)
        answer = await api.post("/v1/inventory/events", json=[event])
        return len(answer.json()["at_risk"]) if answer.status_code == 200 else 0


async def sell_at_the_counter(api: httpx.AsyncClient, key: str, view: dict[str, Any]) -> Sale | None:
    """The counter sells every free unit of the order's first SKU and one held for orders (a bulk sale,
    as a club or a team buys a shelf); None when the shelf holds nothing reserved."""
    store, sku = view["store"]["id"], view["placement"]["lines"][0]["sku"]
    level = await api.get(f"/v1/stores/{store}/stock/{sku}")
    if level.status_code != 200:
        return None
    if not (units := counter_sale(level.json()["on_hand"], level.json()["reserved"])):
        return None
    return Sale(key, store, sku, units, datetime.now(UTC))


async def restock(api: httpx.AsyncClient, sale: Sale) -> None:
    """The next delivery brings back what the counter sold, so the rest of the day is not starved."""
    event = _event(f"{sale.key}-restock", sale.store_id, sale.sku, "receipt", sale.units, datetime.now(UTC))
    await api.post("/v1/inventory/events", json=[event])


def _event(event_id: str, store: str, sku: str, kind: str, units: int, at: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "store_id": store,
        "sku": sku,
        "type": kind,
        "quantity": units,
        "occurred_at": at.isoformat(),
        "reason": "simulated day",
    }


async def free_slot(api: httpx.AsyncClient, store: str, timezone: str) -> datetime | None:
    """The slot a customer picks at checkout: the first with a place left, today or tomorrow (the
    store's calendar days)."""
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(timezone)).date()
    for day in (today, today + timedelta(days=1)):
        answer = await api.get(f"/v1/stores/{store}/slots", params={"date": day.isoformat()})
        if answer.status_code != 200:
            return None
        slots = [(datetime.fromisoformat(s["starts_at"]), s["remaining"]) for s in answer.json()]
        if start := first_slot(slots, now, SLOT_LEAD):
            return start
    return None


async def book_on_page(api: httpx.AsyncClient, order_id: str) -> bool:
    """The customer opens the pickup page from the link in their ready message and books the first slot
    offered (the form and its CSRF token as a browser sends them). One visit at a time: the page's
    session cookie is the client's."""
    page_path = await _page_link(api, order_id)
    if page_path is None:
        return False
    page = await api.get(page_path)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    offered = re.search(r'<select id="f-slot" name="slot"[^>]*>.*?<option value="([^"]+)"', page.text, re.S)
    if page.status_code != 200 or not csrf or not offered:
        return False
    form = {"csrf": html.unescape(csrf.group(1)), "slot": html.unescape(offered.group(1))}
    booked = await api.post(f"{page_path}/slot", data=form)
    return booked.status_code == 303 and "done=slot" in booked.headers.get("location", "")


async def _page_link(api: httpx.AsyncClient, order_id: str) -> str | None:
    """The pickup page's path, from the first message that links to it (the ready message, sent a moment
    after the store staged the order)."""
    for _ in range(25):
        messages = (await api.get(f"/v1/orders/{order_id}/notifications")).json()
        for message in messages:
            if found := re.search(r"https?://[^\s\"'<>]+/track/[^\s\"'<>]+", message["body"]):
                return "/".join(urlsplit(html.unescape(found.group(0))).path.split("/")[:4])  # not …/qr.svg
        await asyncio.sleep(0.2)
    return None
