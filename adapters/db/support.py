"""Alerts for support staff, raised by order workflows (e.g. collection locked after wrong codes)."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import support_alerts
from workflows.contracts import SupportAlert


class SupportAlertRecord(BaseModel):
    id: int
    order_id: str
    kind: str
    detail: str
    raised_at: datetime
    resolved_at: datetime | None


async def raise_alert(conn: AsyncConnection, alert: SupportAlert) -> None:
    await conn.execute(
        insert(support_alerts)
        .values(order_id=alert.order_id, kind=alert.kind, detail=alert.detail, idempotency_key=alert.key)
        .on_conflict_do_nothing(index_elements=[support_alerts.c.idempotency_key])
    )


async def resolve(conn: AsyncConnection, order_id: str, kind: str) -> None:
    await conn.execute(
        update(support_alerts)
        .where(
            support_alerts.c.order_id == order_id,
            support_alerts.c.kind == kind,
            support_alerts.c.resolved_at.is_(None),
        )
        .values(resolved_at=func.now())
    )


async def open_alerts(conn: AsyncConnection, limit: int = 200) -> list[SupportAlertRecord]:
    rows = await conn.execute(
        select(support_alerts)
        .where(support_alerts.c.resolved_at.is_(None))
        .order_by(support_alerts.c.id)
        .limit(limit)
    )
    return [SupportAlertRecord.model_validate(row, from_attributes=True) for row in rows]


async def latest_open(conn: AsyncConnection, limit: int = 20) -> list[SupportAlertRecord]:
    """The most recent open alerts, newest first."""
    rows = await conn.execute(
        select(support_alerts)
        .where(support_alerts.c.resolved_at.is_(None))
        .order_by(support_alerts.c.id.desc())
        .limit(limit)
    )
    return [SupportAlertRecord.model_validate(row, from_attributes=True) for row in rows]


async def open_by_kind(conn: AsyncConnection) -> dict[str, int]:
    """How many alerts of each kind are open, by kind."""
    rows = await conn.execute(
        select(support_alerts.c.kind, func.count().label("alerts"))
        .where(support_alerts.c.resolved_at.is_(None))
        .group_by(support_alerts.c.kind)
        .order_by(support_alerts.c.kind)
    )
    return {row.kind: row.alerts for row in rows}
