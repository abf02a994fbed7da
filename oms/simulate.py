"""`oms simulate`: play a retail day against a running system through its HTTP API, as the channels,
the stores (their POS too) and the customers would (the plan: domain/simulation.py). Bounded: it stops
once every order reached its end (or the no-shows their shelf), then prints the KPIs, what happened at
the counters and the slots, and writes a chart of orders by status over time (SVG)."""

import asyncio
import random
import re
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from domain.simulation import DayMix, Fate, PlannedOrder, SlotAsk, plan_day
from oms.simulate_people import Counters, Sale, book_on_page, free_slot, restock, sell_at_the_counter

DEMO_SKUS = ["BOTTLE-1L", "HEADLAMP-300", "STOVE-GAS", "JACKET-M", "SLEEPBAG-5C"]
ENDED = {"collected", "cancelled", "expired", "rejected", "shipped", "parked", "awaiting_customer"}
STEPS_AT_MOST = 12  # store steps per order, re-routes included


@dataclass
class DayLog:
    """What happened, as the simulator saw it: each order's statuses with the second they were seen."""

    started: float = field(default_factory=time.monotonic)
    statuses: dict[int, list[tuple[float, str]]] = field(default_factory=dict)
    fates: dict[int, Fate] = field(default_factory=dict)
    placed: int = 0
    done: int = 0
    run: str = field(default_factory=lambda: "sim-" + uuid.uuid4().hex[:6])
    ids: dict[int, str] = field(default_factory=dict)  # planned number -> order id, once placed
    events: Counter[str] = field(default_factory=Counter)
    """What happened beside the orders' steps (oms/simulate_people.py EVENTS), counted."""
    stores: dict[str, str] = field(default_factory=dict)  # store id -> timezone
    page: asyncio.Lock = field(default_factory=asyncio.Lock)  # one customer page visit at a time
    asked_on_page: set[int] = field(default_factory=set)
    booked_on_page: set[int] = field(default_factory=set)
    sold: dict[int, Sale] = field(default_factory=dict)  # counter sales to restock once the order is through
    refused: dict[int, list[str]] = field(default_factory=dict)  # each order's steps answered other than 200

    def saw(self, order: PlannedOrder, status: str) -> None:
        seen = self.statuses.setdefault(order.number, [])
        if not seen or seen[-1][1] != status:
            seen.append((time.monotonic() - self.started, status))


async def run_day(
    api: httpx.AsyncClient, plan: list[PlannedOrder], log: DayLog, progress: Callable[[DayLog], None]
) -> None:
    """Every planned order at its time, then each through its fate; the progress shown every half second."""
    run = log.run
    ticker = asyncio.create_task(_tick(log, len(plan), progress))
    try:
        await asyncio.gather(*(_play(api, run, order, log) for order in plan))
    finally:
        ticker.cancel()
        progress(log)


async def _tick(log: DayLog, total: int, progress: Callable[[DayLog], None]) -> None:
    while True:
        progress(log)
        await asyncio.sleep(0.5)


async def _play(api: httpx.AsyncClient, run: str, order: PlannedOrder, log: DayLog) -> None:
    log.fates[order.number] = order.fate
    await asyncio.sleep(order.at)
    try:
        await _through_fate(api, run, order, log)
    finally:
        log.done += 1


async def _through_fate(api: httpx.AsyncClient, run: str, order: PlannedOrder, log: DayLog) -> None:
    placement: dict[str, Any] = {
        "channel": "webshop",
        "channel_order_id": f"{run}-{order.number}",
        "store_id": order.store_id,
        "currency": "EUR",
        "customer": {
            "name": f"Customer {order.number}",
            "email": f"c{order.number}@example.com",
            "phone": "+33612345678",
            "locale": "fr",
        },
        "lines": [{"sku": sku, "quantity": quantity, "unit_price": "10.00"} for sku, quantity in order.lines],
    }
    if order.slot is SlotAsk.AT_INTAKE:
        log.events[Counters.ASKED_AT_INTAKE] += 1
        if start := await free_slot(api, order.store_id, log.stores.get(order.store_id, "UTC")):
            placement["pickup_slot"] = start.isoformat()
    placed = await api.post("/v1/orders", json=placement)
    log.placed += 1
    if placed.status_code not in (200, 201, 202):
        log.saw(order, f"refused at intake ({placed.status_code} {_error_code(placed)})".replace(" )", ")"))
        return
    view = placed.json()
    order_id = log.ids[order.number] = view["order_id"]
    log.saw(order, view["status"])
    if order.slot is SlotAsk.AT_INTAKE and view.get("pickup_slot"):
        log.events[Counters.BOOKED_AT_INTAKE] += 1
    if order.fate is Fate.CANCELLED:
        await asyncio.sleep(order.accept_after)
        view = await _answer(
            log.refused.setdefault(order.number, []),
            api.post(f"/v1/orders/{order_id}/cancel", json={"reason": "customer asked"}),
            view,
        )
        log.saw(order, view["status"])
        return
    try:
        await _through_store(api, order, view, log)
    finally:
        if sold := log.sold.pop(order.number, None):
            await restock(api, sold)


async def _through_store(
    api: httpx.AsyncClient, order: PlannedOrder, view: dict[str, Any], log: DayLog
) -> None:
    """The store's steps (and the customer's collection) until the order ends or waits for its no-show."""
    order_id = view["order_id"]
    refusals = log.refused.setdefault(order.number, [])
    troubles = {
        Fate.REJECTED: "reject",
        Fate.SHORT_PICK: "short-pick",
        Fate.SOLD_AT_THE_COUNTER: "counter-sale",
    }.get(order.fate)
    for _ in range(STEPS_AT_MOST):
        status, store = view["status"], view["store"]["id"] if view.get("store") else order.store_id
        asks = order.slot is SlotAsk.ON_PAGE and order.number not in log.asked_on_page
        if status == "ready_for_pickup" and asks:
            await _book_on_page(api, order, view["order_id"], log)  # the ready message links the page
        if status in ENDED or (status == "ready_for_pickup" and order.fate is Fate.NO_SHOW):
            return
        route = f"/v1/stores/{store}/orders/{order_id}"
        if status == "reserved" and troubles == "reject":
            await asyncio.sleep(order.accept_after)
            troubles, view = (
                None,
                await _answer(refusals, api.post(f"{route}/reject", json={"reason": "no one free"}), view),
            )
        elif status == "reserved":
            await asyncio.sleep(order.accept_after)
            view = await _answer(refusals, api.post(f"{route}/accept"), view)
        elif status == "accepted" and troubles == "counter-sale":
            await asyncio.sleep(order.pick_after)  # meanwhile the counter sells the shelf down
            troubles, view = None, await counter_sale_while_picking(api, order, view, log)
        elif status == "accepted" and troubles == "short-pick":
            await asyncio.sleep(order.pick_after)
            sku = _lines(view)[0]["sku"]
            body = {"lines": [{"sku": sku, "missing": 1, "reason": "not_found"}]}
            troubles, view = None, await _answer(refusals, api.post(f"{route}/short-pick", json=body), view)
        elif status == "accepted":
            await asyncio.sleep(order.pick_after)
            view = await _answer(refusals, api.post(f"{route}/pick", json={"lines": _lines(view)}), view)
        elif status == "picked":
            view = await _answer(
                refusals, api.post(f"{route}/ready", json={"staging_location": "shelf A1"}), view
            )
        elif status == "ready_for_pickup":
            await asyncio.sleep(order.collect_after)
            code = await _pickup_code(api, order_id)
            view = await _answer(refusals, api.post(f"{route}/collect", json={"pickup_code": code}), view)
        else:
            return
        log.saw(order, view["status"])
        await asyncio.sleep(0.2)
        view = await _answer(
            refusals, api.get(f"/v1/orders/{order_id}"), view
        )  # a re-route shows a moment later
        log.saw(order, view["status"])


async def _book_on_page(api: httpx.AsyncClient, order: PlannedOrder, order_id: str, log: DayLog) -> None:
    log.asked_on_page.add(order.number)
    log.events[Counters.ASKED_ON_PAGE] += 1
    async with log.page:
        booked = await book_on_page(api, order_id)
    log.events[Counters.BOOKED_ON_PAGE] += booked
    if booked:
        log.booked_on_page.add(order.number)


async def counter_sale_while_picking(
    api: httpx.AsyncClient, order: PlannedOrder, view: dict[str, Any], log: DayLog
) -> dict[str, Any]:
    """The POS sells the shelf down to one unit short of what is reserved. Told in time, the OMS moves
    the order before picking (or asks the customer); told late, the picker finds a unit missing first."""
    sale = await sell_at_the_counter(api, f"{log.run}-{order.number}", view)
    if sale is None:
        return view
    log.sold[order.number] = sale
    route = f"/v1/stores/{sale.store_id}/orders/{view['order_id']}"
    if order.feed_late:
        body = {"lines": [{"sku": sale.sku, "missing": 1, "reason": "not_found"}]}
        answered = await api.post(f"{route}/short-pick", json=body)
        log.events[Counters.SHORT_PICKED_AFTER_SALE] += answered.status_code == 200
        view = _view_of(answered, view)
    told = await sale.tell(api)
    log.events[Counters.COUNTER_SALES] += 1
    log.events[Counters.UNITS_SOLD] += sale.units
    log.events[Counters.PUT_AT_RISK] += told
    log.events[Counters.FEED_IN_TIME] += not order.feed_late
    return view


async def _answer(refusals: list[str], request: Any, view: dict[str, Any]) -> dict[str, Any]:
    """The order as the API answered it; the last one seen when the step was refused (noted in
    `refusals`: the end report and a failing test say why an order stopped where it did)."""
    response = await request
    if response.status_code != 200:
        refusals.append(
            f"{response.request.url.path.rsplit('/', 1)[-1]}: {response.status_code} {response.text[:200]}"
        )
    return _view_of(response, view)


def _view_of(response: httpx.Response, view: dict[str, Any]) -> dict[str, Any]:
    body = response.json() if response.status_code == 200 else None
    return body if isinstance(body, dict) and "status" in body else view


def _lines(view: dict[str, Any]) -> list[dict[str, Any]]:
    lines = view.get("lines") or view["placement"]["lines"]
    return [{"sku": line["sku"], "quantity": line["quantity"]} for line in lines]


async def _pickup_code(api: httpx.AsyncClient, order_id: str) -> str:
    """The code from the ready message the customer received (it goes out a moment after ready)."""
    for _ in range(50):
        messages = (await api.get(f"/v1/orders/{order_id}/notifications")).json()
        for message in reversed(messages):
            if message["kind"] == "ready_for_pickup" and (
                found := re.search(r"\b(\d{6})\b", message["body"])
            ):
                return found.group(1)
        await asyncio.sleep(0.2)
    return "000000"


def report_lines(log: DayLog) -> list[str]:
    """The end report beside the KPIs: how the orders ended, the counters' sales and the slots."""
    finals = Counter(seen[-1][1] for seen in log.statuses.values())
    lines = ["orders ended: " + ", ".join(f"{status} {count}" for status, count in finals.most_common())]
    return lines + [f"{counter.value}: {log.events[counter]}" for counter in Counters]


def progress_bar(total: int) -> Callable[[DayLog], None]:
    def show(log: DayLog) -> None:
        width = 30
        filled = int(width * log.done / total) if total else width
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {log.placed}/{total} placed, {log.done} through"
        )
        sys.stderr.flush()

    return show


def status_chart(log: DayLog, samples: int = 60) -> str:
    """Orders by status over the run (SVG): one line per status."""
    end = max((seen[-1][0] for seen in log.statuses.values()), default=1.0) or 1.0
    statuses = sorted({status for seen in log.statuses.values() for _, status in seen})
    moments = [end * i / samples for i in range(samples + 1)]
    counts = {status: [_count(log, status, t) for t in moments] for status in statuses}
    top = max([1, *(max(series) for series in counts.values())])
    width, height, left, bottom = 720, 320, 40, 30
    colours = ["#0b57a4", "#1c6431", "#a3231b", "#6b4500", "#4d4d4d", "#7a2e8a", "#00696b", "#8a5a00"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20 * len(statuses)}">',
        "<style>text{font:12px sans-serif}</style>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{left}" y="14">Orders by status over the simulated day ({end:.0f} s)</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#1b1b1b"/>',
        f'<text x="4" y="30">{top}</text>',
    ]
    for index, status in enumerate(statuses):
        colour = colours[index % len(colours)]
        base, span = height - bottom, height - bottom - 24
        points = " ".join(
            f"{left + (width - left) * i / samples:.1f},{base - span * c / top:.1f}"
            for i, c in enumerate(counts[status])
        )
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        y = height + 20 * index + 4
        parts.append(f'<rect x="{left}" y="{y - 9}" width="14" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{left + 20}" y="{y}">{status}: {counts[status][-1]}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _count(log: DayLog, status: str, moment: float) -> int:
    count = 0
    for seen in log.statuses.values():
        before = [s for t, s in seen if t <= moment]
        count += bool(before) and before[-1] == status
    return count


async def simulate(
    api: httpx.AsyncClient,
    *,
    orders: int,
    minutes: float,
    seed: int | None,
    chart: Path,
    skus: list[str] | None = None,
    show: Callable[[DayLog], None] | None = None,
    mix: DayMix | None = None,
) -> tuple[DayLog, dict[str, Any]]:
    """Play the day, then answer what happened and the KPIs of the run (GET /v1/kpis)."""
    started = datetime.now(UTC)
    stores = {
        s["id"]: s.get("timezone") or "UTC"
        for s in (await api.get("/v1/stores")).json()
        if s.get("kind", "store") == "store"
    }
    plan = plan_day(
        random.randrange(2**31) if seed is None else seed,
        orders,
        list(stores),
        skus or DEMO_SKUS,
        minutes * 60,
        mix,
    )
    log = DayLog(stores=stores)
    await run_day(api, plan, log, show or progress_bar(orders))
    period = {"from": started.isoformat(), "to": (datetime.now(UTC) + timedelta(seconds=1)).isoformat()}
    kpis = (await api.get("/v1/kpis", params=period)).json()
    chart.write_text(status_chart(log))
    return log, kpis


def _error_code(answer: httpx.Response) -> str:
    """The error an API refusal names (`insufficient_stock`, `store_closed`...), for the day's report."""
    try:
        return str(answer.json().get("error", ""))
    except ValueError:
        return ""
