"""KPIs of the stock and the messages: inventory accuracy (counts against the ledger's expected on hand),
the store feed's sync lag (event time → applied) and the notification delivery rate by channel."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.kpis import Durations, Ratio, durations

FAILED_REPORTS = frozenset({"undelivered", "failed", "canceled", "bounce", "dropped", "blocked"})
"""Providers' reports that say a message sent never reached the customer (domain/delivery_reports.py)."""


@dataclass(frozen=True)
class StockCount:
    """A count from the store feed: what was on the shelf, and how far it moved the ledger's on hand."""

    store_id: str
    counted: int
    on_hand_delta: int
    at: datetime  # when it was taken

    @property
    def expected(self) -> int:
        """What the ledger expected on the shelf when the count was taken."""
        return self.counted - self.on_hand_delta


@dataclass(frozen=True)
class FeedEvent:
    store_id: str
    occurred_at: datetime
    applied_at: datetime


@dataclass(frozen=True)
class Message:
    store_id: str
    at: datetime  # when the OMS recorded it
    channel: str  # email | sms
    status: str  # pending | sending | sent | failed | suppressed
    delivery_status: str | None = None  # the provider's last report


@dataclass(frozen=True)
class StockKpis:
    inventory_accuracy: Ratio = Ratio()  # counts that found what the ledger expected
    units_off: int = 0  # units the counts found more or fewer than expected, in all
    sync_lag: Durations = Durations()
    delivery: dict[str, Ratio] | None = None


def inventory_accuracy(counts: Iterable[StockCount]) -> Ratio:
    """Record accuracy: of the counts taken, those that found exactly the ledger's expected on hand."""
    taken = list(counts)
    return Ratio(sum(count.counted == count.expected for count in taken), len(taken))


def units_off(counts: Iterable[StockCount]) -> int:
    return sum(abs(count.on_hand_delta) for count in counts)


def sync_lag(events: Iterable[FeedEvent]) -> Durations:
    """Minutes from when a sale, receipt or count happened in the store to when the OMS applied it."""
    return durations(
        max(0.0, (event.applied_at - event.occurred_at).total_seconds() / 60) for event in events
    )


def delivered(message: Message) -> bool:
    """Sent, and no provider report says it failed to arrive."""
    return message.status == "sent" and message.delivery_status not in FAILED_REPORTS


def delivery_rate(messages: Iterable[Message]) -> dict[str, Ratio]:
    """By channel: delivered / messages the OMS meant to send (suppressed ones, by the customer's wish or
    quiet hours, left out)."""
    tried: dict[str, list[Message]] = {}
    for message in messages:
        if message.status != "suppressed":
            tried.setdefault(message.channel, []).append(message)
    return {
        channel: Ratio(sum(delivered(m) for m in sent), len(sent)) for channel, sent in sorted(tried.items())
    }


def stock_kpis(counts: list[StockCount], events: list[FeedEvent], messages: list[Message]) -> StockKpis:
    return StockKpis(
        inventory_accuracy=inventory_accuracy(counts),
        units_off=units_off(counts),
        sync_lag=sync_lag(events),
        delivery=delivery_rate(messages),
    )
