"""Orders through their whole life over HTTP, as channels and a store do, through any fault: a channel
places each order until it is acknowledged; the store moves it on from whatever state it is in, retrying
what a fault interrupted. Every answer is counted by kind: a 503 must name its cause in JSON
(`database_unavailable`, `temporal_unavailable`, `order_busy` when no worker answers) with Retry-After;
no 500 at all."""

import asyncio
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

STORE = "paris-rivoli"
HEADERS = {
    "channel": {"X-API-Key": "demo-channel-webshop"},
    "store": {"X-API-Key": f"demo-store-{STORE}"},
    "ops": {"X-API-Key": "demo-ops"},
}
ENDED = {"collected", "cancelled", "expired", "rejected", "shipped"}
NEXT_STEP = {"reserved": "accept", "accepted": "pick", "picked": "ready", "ready_for_pickup": "collect"}


@dataclass
class Answers:
    """Every HTTP answer of a run by kind, and intake latencies (seconds, acknowledged orders)."""

    kinds: Counter[str] = field(default_factory=Counter)
    intake_seconds: list[float] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)

    def count(self, answer: httpx.Response | None, failure: str = "") -> None:
        if answer is None:
            self.kinds[f"no answer ({failure})"] += 1
        elif answer.status_code == 503:
            error = _error(answer)
            named = bool(error) and "Retry-After" in answer.headers
            self.kinds[f"503 {error}" if named else "503 unnamed"] += 1
            if not named:
                self.unnamed.append(answer.text[:200])
        elif answer.status_code >= 500:
            self.kinds[f"{answer.status_code} {_error(answer) or 'plain'}"] += 1
            self.unnamed.append(answer.text[:200])
        elif answer.status_code >= 400:
            self.kinds[f"{answer.status_code} {_error(answer)}".strip()] += 1
        else:
            self.kinds[f"{answer.status_code // 100}xx"] += 1


def _error(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("error", ""))
    except ValueError:
        return ""


@dataclass
class Driver:
    api: httpx.AsyncClient
    sku: str
    answers: Answers = field(default_factory=Answers)
    acknowledged: list[str] = field(default_factory=list)
    finished: dict[str, str] = field(default_factory=dict)
    stepped: set[str] = field(default_factory=set)  # orders a store step moved on

    async def call(self, role: str, method: str, path: str, body: object = None) -> httpx.Response | None:
        try:
            answer = await self.api.request(method, path, json=body, headers=HEADERS[role])
        except httpx.TimeoutException:
            self.answers.count(None, "timeout")
            return None
        except httpx.TransportError as error:
            self.answers.count(None, type(error).__name__)
            return None
        self.answers.count(answer)
        return answer

    async def place(self, deadline: float) -> str | None:
        """One order, placed again with the same channel order id until acknowledged (intake is
        idempotent on it); None if the deadline passes first."""
        channel_order_id = f"CHAOS-{uuid.uuid4().hex[:12]}"
        body = {
            "channel": "webshop",
            "channel_order_id": channel_order_id,
            "store_id": STORE,
            "currency": "EUR",
            "customer": {"name": "Chaos Monkey", "email": "chaos@example.com", "phone": "+33612345678"},
            "lines": [{"sku": self.sku, "quantity": 1, "unit_price": "10.00"}],
        }
        while time.monotonic() < deadline:
            started = time.monotonic()
            answer = await self.call("channel", "POST", "/v1/orders", body)
            if answer is not None and answer.status_code in (200, 201, 202):
                self.answers.intake_seconds.append(time.monotonic() - started)
                order_id = str(answer.json()["order_id"])
                self.acknowledged.append(order_id)
                return order_id
            if answer is not None and 400 <= answer.status_code < 500:
                raise RuntimeError(f"intake refused the order: {answer.text}")
            await asyncio.sleep(1)
        return None

    async def see_through(self, order_id: str, deadline: float) -> None:
        """The store's work on the order, from whatever state it is in, until it ends."""
        while time.monotonic() < deadline:
            answer = await self.call("ops", "GET", f"/v1/orders/{order_id}")
            status = answer.json().get("status") if answer is not None and answer.status_code == 200 else None
            if status in ENDED:
                self.finished[order_id] = str(status)
                return
            step = NEXT_STEP.get(str(status))
            if step is None:  # not in the read model yet, or between steps: look again
                await asyncio.sleep(1)
                continue
            done = await self.act(order_id, step)
            if not done:
                await asyncio.sleep(1)

    async def act(self, order_id: str, step: str) -> bool:
        path = f"/v1/stores/{STORE}/orders/{order_id}/{step}"
        body: dict[str, object] | None = None
        if step == "pick":
            body = {"lines": [{"sku": self.sku, "quantity": 1}]}
        elif step == "ready":
            body = {"staging_location": "chaos shelf"}
        elif step == "collect":
            code = await self.pickup_code(order_id)
            if code is None:
                return False
            body = {"pickup_code": code, "associate": "chaos"}
        answer = await self.call("store", "POST", path, body)
        if answer is not None and answer.status_code == 200:
            self.stepped.add(order_id)
            return True
        return False

    async def pickup_code(self, order_id: str) -> str | None:
        answer = await self.call("ops", "GET", f"/v1/orders/{order_id}/notifications")
        if answer is None or answer.status_code != 200:
            return None
        bodies = [
            m["body"] for m in answer.json() if m["kind"] == "ready_for_pickup" and m["channel"] == "sms"
        ]
        match = re.search(r"\b(\d{6})\b", bodies[-1]) if bodies else None
        return match.group(1) if match else None

    async def order(self, deadline: float) -> None:
        if order_id := await self.place(deadline):
            self.stepped.discard(order_id)
            await self.see_through(order_id, deadline)
