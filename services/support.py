"""What support staff must look at."""

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import support
from adapters.db.support import SupportAlertRecord


async def open_alerts(conn: AsyncConnection) -> list[SupportAlertRecord]:
    """Open alerts, oldest first (e.g. collection locked after too many wrong pickup codes)."""
    return await support.open_alerts(conn)
