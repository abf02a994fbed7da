"""What support staff must look at."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import support
from adapters.db.support import SupportAlertRecord


async def open_alerts(conn: AsyncConnection) -> list[SupportAlertRecord]:
    """Open alerts, oldest first (e.g. collection locked after too many wrong pickup codes)."""
    return await support.open_alerts(conn)


@dataclass(frozen=True)
class AlertSummary:
    """What the ops dashboard shows: open alerts per kind, and the latest ones."""

    by_kind: dict[str, int]
    latest: list[SupportAlertRecord]


async def alert_summary(conn: AsyncConnection, latest: int = 20) -> AlertSummary:
    return AlertSummary(await support.open_by_kind(conn), await support.latest_open(conn, latest))
