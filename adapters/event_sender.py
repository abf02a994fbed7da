"""POST an event to a subscriber's URL, signed; the answer as delivered or why not (never raises)."""

import time
from dataclasses import dataclass
from datetime import timedelta

import httpx

from domain.event_delivery import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signature


@dataclass(frozen=True)
class SendResult:
    delivered: bool
    error: str | None = None


class EventSender:
    """One HTTP client for every subscription: a 2xx answer is delivered, anything else is retried."""

    def __init__(self, timeout: timedelta, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient(timeout=timeout.total_seconds(), follow_redirects=False)

    async def send(self, url: str, secret: str, event_id: str, event_type: str, body: bytes) -> SendResult:
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, timestamp, body),
            EVENT_ID_HEADER: event_id,
            EVENT_TYPE_HEADER: event_type,
            "User-Agent": "click-and-collect-oms/events",
        }
        try:
            answer = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as failure:
            return SendResult(False, f"{type(failure).__name__}: {failure}"[:500] or type(failure).__name__)
        if 200 <= answer.status_code < 300:
            return SendResult(True)
        return SendResult(False, f"HTTP {answer.status_code}: {answer.text[:200]}")

    async def close(self) -> None:
        await self._client.aclose()
