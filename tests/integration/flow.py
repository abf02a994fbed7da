"""Helpers that drive an order through the HTTP API as a channel and a store would."""

import re

import httpx

from domain.values import OrderPlacement


async def place(api: httpx.AsyncClient, order: OrderPlacement) -> httpx.Response:
    return await api.post("/v1/orders", json=order.model_dump(mode="json"))


async def step(
    api: httpx.AsyncClient, order: OrderPlacement, action: str, body: dict | None = None
) -> httpx.Response:
    return await api.post(f"/v1/stores/{order.store_id}/orders/{order.order_id}/{action}", json=body)


async def prepare(api: httpx.AsyncClient, order: OrderPlacement, staging: str = "shelf B3") -> None:
    """Accept, pick in full and stage the order, as the store does."""
    assert (await step(api, order, "accept")).status_code == 200
    lines = [{"sku": line.sku, "quantity": line.quantity} for line in order.lines]
    picked = await step(api, order, "pick", {"lines": lines})
    assert picked.status_code == 200, picked.text
    ready = await step(api, order, "ready", {"staging_location": staging})
    assert ready.status_code == 200, ready.text


async def pickup_code(api: httpx.AsyncClient, order: OrderPlacement | str) -> str:
    """The code as the customer received it: from the ready-for-pickup message in the outbox."""
    order_id = order if isinstance(order, str) else order.order_id
    messages = (await api.get(f"/v1/orders/{order_id}/notifications")).json()
    ready = [m for m in messages if m["kind"] == "ready_for_pickup" and m["channel"] == "sms"]
    match = re.search(r"\b(\d{6})\b", ready[-1]["body"])  # the code, in any language
    assert match, ready
    return match.group(1)


async def stock(api: httpx.AsyncClient, store_id: str, sku: str) -> dict:
    response = await api.get(f"/v1/stores/{store_id}/stock/{sku}")
    assert response.status_code == 200, response.text
    return response.json()
