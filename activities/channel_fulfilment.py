"""Reports to the order's channel (Shopify): read the order's fulfillment orders, send the one change the
sync rules (domain/channel_sync.py) say is still missing, read again, until nothing is. A retry or a crash
therefore never sends a change twice: the change it made is what the next read shows."""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.channels.shopify_admin import (
    ShopifyAdmin,
    ShopifyAuthRefused,
    ShopifyOrderUnknown,
    ShopifyRefused,
    ShopifyThrottled,
    ShopifyUnavailable,
)
from domain import ids
from domain.channel_sync import ChannelAction, ChannelReport, describe, next_action
from workflows.activities import ChannelFulfilment

log = logging.getLogger("oms.channels")

SHOPIFY_ORDER = "gid://shopify/Order/"
MAX_CHANGES = 20  # one per fulfillment order at most, and a few: beyond, something loops
# After a change Shopify may take a moment to show it (orderCancel runs as a job): look again before
# ever deciding to send the same change a second time (across attempts too: the heartbeat names it).
SETTLE_READS = 5
SETTLE_PAUSE = 0.5  # seconds


class ChannelFulfilmentActivities(ChannelFulfilment):
    """With no Admin API configured (`shopify` None) a report is logged and sends nothing."""

    def __init__(self, shopify: ShopifyAdmin | None) -> None:
        self._shopify = shopify

    @activity.defn(name=ids.ACTIVITY_CHANNEL_READY)
    async def report_ready(self, report: ChannelReport) -> list[str]:
        """Ready: the order's open fulfillment orders are marked prepared for pickup."""
        return await self._sync(report)

    @activity.defn(name=ids.ACTIVITY_CHANNEL_COLLECTED)
    async def report_collected(self, report: ChannelReport) -> list[str]:
        """Collected: the units handed over are fulfilled (only those, when the customer left some)."""
        return await self._sync(report)

    @activity.defn(name=ids.ACTIVITY_CHANNEL_ENDED)
    async def report_ended(self, report: ChannelReport) -> list[str]:
        """Cancelled or expired: the channel's order is cancelled, restocked and refunded there."""
        return await self._sync(report)

    async def _sync(self, report: ChannelReport) -> list[str]:
        order_id = report.reference.order
        if self._shopify is None:
            log.warning("%s: no Shopify Admin API configured; %s not reported", report.order_id, report.event)
            return []
        if not order_id.startswith(SHOPIFY_ORDER):
            raise ApplicationError(
                f"not a Shopify order id: {order_id}", type="ChannelRefused", non_retryable=True
            )
        sent: list[str] = []
        last = _sent_by_the_last_attempt()
        with _shopify_errors():
            for _ in range(MAX_CHANGES):
                action = await self._next(report, last)
                if action is None:
                    return sent
                await self._shopify.send(order_id, action)
                activity.heartbeat(repr(action))  # the next attempt knows what this one sent last
                log.info("%s: Shopify %s", report.order_id, describe(action))
                sent.append(describe(action))
                last = repr(action)
        raise ApplicationError(
            f"more than {MAX_CHANGES} changes for one report: {sent}",
            type="ChannelRefused",
            non_retryable=True,
        )

    async def _next(self, report: ChannelReport, last: str | None) -> ChannelAction | None:
        """The change still missing. The one sent last (by this attempt, or by the one before: its
        heartbeat) is not sent again: Shopify not showing it yet is a retryable failure."""
        assert self._shopify
        for _ in range(SETTLE_READS):
            action = next_action(report, await self._shopify.order(report.reference.order))
            if action is None or repr(action) != last:
                return action
            await asyncio.sleep(SETTLE_PAUSE)
        raise ApplicationError(f"Shopify does not show the change yet: {last}", type="ChannelLagging")


def _sent_by_the_last_attempt() -> str | None:
    """The change the previous attempt of this activity sent last (its heartbeat), if any."""
    details = activity.info().heartbeat_details
    return str(details[-1]) if details else None


@contextmanager
def _shopify_errors() -> Iterator[None]:
    """Shopify's failures as the retry policy reads them: throttling and outages retried (throttling
    after the wait Shopify asks for), refusals and auth failures not (the workflow alerts support)."""
    try:
        yield
    except ShopifyThrottled as throttled:
        delay = timedelta(seconds=throttled.retry_after) if throttled.retry_after else None
        raise ApplicationError(str(throttled), type="ChannelThrottled", next_retry_delay=delay) from None
    except ShopifyUnavailable as down:
        raise ApplicationError(str(down), type="ChannelUnavailable") from None
    except ShopifyAuthRefused as refused:
        raise ApplicationError(str(refused), type="ChannelAuthRefused", non_retryable=True) from None
    except ShopifyOrderUnknown as unknown:
        raise ApplicationError(str(unknown), type="ChannelOrderUnknown", non_retryable=True) from None
    except ShopifyRefused as refused:
        raise ApplicationError(str(refused), type="ChannelRefused", non_retryable=True) from None
