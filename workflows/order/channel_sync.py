"""Keeping the channel in step: an order a channel adapter took (Shopify) has its progress told to that
channel (ready, collected, cancelled, expired) in the background, one report after the other: the store
and the customer never wait on the channel's API, and a report that fails for good alerts support."""

import asyncio
from collections.abc import Awaitable, Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.channel_sync import ChannelEvent, ChannelReport, report_of
    from workflows.activities import ChannelFulfilment

from workflows import calls
from workflows.order.context import FAILED_FOR_GOOD, OrderContext
from workflows.order.patches import PATCH_CHANNEL_SYNC, patched

STEPS: dict[ChannelEvent, Callable[[ChannelFulfilment, ChannelReport], Awaitable[list[str]]]] = {
    ChannelEvent.READY: ChannelFulfilment.report_ready,
    ChannelEvent.COLLECTED: ChannelFulfilment.report_collected,
    ChannelEvent.CANCELLED: ChannelFulfilment.report_ended,
    ChannelEvent.EXPIRED: ChannelFulfilment.report_ended,
}


def report(ctx: OrderContext, event: ChannelEvent) -> None:
    """Tell the order's channel about `event` once the reports before it are done; orders from channels
    that take no report (and orders started before the patch) change nothing, not even their history."""
    made = report_of(ctx.order.state, event)
    # The patch is asked only for orders that report: other orders' histories gain no marker.
    if made is None or not patched(PATCH_CHANNEL_SYNC):
        return
    ctx.channel_reports = asyncio.create_task(_send(ctx, made, ctx.channel_reports))


async def _send(ctx: OrderContext, made: ChannelReport, previous: asyncio.Task[None] | None) -> None:
    if previous:
        await previous
    try:
        await calls.channel(STEPS[made.event], made)
    except FAILED_FOR_GOOD as failure:
        await ctx.given_up("channel_sync_failed", f"the {made.event.value} report to the channel", failure)


async def finished(ctx: OrderContext) -> None:
    """The order ends once its channel was told (or support alerted)."""
    if ctx.channel_reports:
        await ctx.channel_reports
