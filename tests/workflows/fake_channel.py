"""The channel's side of the order (Shopify), faked: the reports the workflow sends, in order."""

from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import ids
from domain.channel_sync import ChannelReport
from workflows.activities import ChannelFulfilment


class FakeChannel(ChannelFulfilment):
    """Records each report in `world.channel_reports`; `world.channel_refusal` (an error type) refuses
    every report for good, as a revoked token does."""

    def __init__(self, world: Any) -> None:
        self.world = world

    async def _report(self, report: ChannelReport) -> list[str]:
        if self.world.channel_refusal:
            raise ApplicationError("refused", type=self.world.channel_refusal, non_retryable=True)
        self.world.channel_reports.append(report)
        return [report.event.value]

    @activity.defn(name=ids.ACTIVITY_CHANNEL_READY)
    async def report_ready(self, report: ChannelReport) -> list[str]:
        return await self._report(report)

    @activity.defn(name=ids.ACTIVITY_CHANNEL_COLLECTED)
    async def report_collected(self, report: ChannelReport) -> list[str]:
        return await self._report(report)

    @activity.defn(name=ids.ACTIVITY_CHANNEL_ENDED)
    async def report_ended(self, report: ChannelReport) -> list[str]:
        return await self._report(report)
