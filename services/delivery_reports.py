"""Delivery reports from the messaging providers, recorded on the outbox rows they are about."""

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import outbox
from domain.delivery_reports import PROGRESS, DeliveryReport, later_than


async def record(engine: AsyncEngine, provider: str, reports: Iterable[DeliveryReport]) -> int:
    """Record each report on its message unless the message already has a later status; the rows changed."""
    updated = 0
    async with engine.begin() as conn:
        for report in reports:
            updated += await outbox.record_delivery(
                conn,
                report.provider_message_id,
                report.status,
                report.failure,
                not_over=later_than(PROGRESS[provider], report.status),
            )
    return updated
