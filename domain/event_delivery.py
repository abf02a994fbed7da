"""Delivering events to a channel's subscription: the signature a receiver checks, and when a failed
delivery is tried again or given up (dead-lettered). Pure rules."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

SIGNATURE_HEADER = "OMS-Signature"  # t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
EVENT_ID_HEADER = "OMS-Event-Id"
EVENT_TYPE_HEADER = "OMS-Event-Type"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value: HMAC-SHA256 with the subscription's secret over `timestamp + "." + body`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does (docs/integration.md): the signature matches and is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, parts.get("v1", ""))


@dataclass(frozen=True)
class DeliveryPolicy:
    """Waits doubling from `first_retry` up to `longest_wait`; given up `retry_for` after the first
    failure (never less than a day in production: a receiver down for a weekend night loses nothing)."""

    first_retry: timedelta = timedelta(seconds=1)
    longest_wait: timedelta = timedelta(minutes=10)
    retry_for: timedelta = timedelta(hours=24)
    timeout: timedelta = timedelta(seconds=10)  # one POST
    parallel_orders: int = 8  # orders delivered at once per subscription (each order in sequence)

    def next_attempt(self, attempts: int, now: datetime) -> datetime:
        """When to try again after `attempts` failed tries."""
        wait = self.first_retry * (2 ** min(max(attempts - 1, 0), 30))
        later: datetime = now + min(wait, self.longest_wait)
        return later

    def gives_up(self, first_failed_at: datetime, now: datetime) -> bool:
        return now - first_failed_at >= self.retry_for
