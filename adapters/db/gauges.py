"""What ops watch, counted from the database at scrape time: open orders by status and store, orders at
risk, the outbox backlog, open dead letters and support alerts, the store feed's lag, the order events
waiting for each channel subscription."""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.event_tables import event_deliveries
from adapters.db.tables import (
    dead_letters,
    inventory_events,
    notifications,
    orders,
    support_alerts,
)
from domain.status import TERMINAL

BACKLOG = ("pending", "sending")  # outbox rows not yet sent (or given up)
FEED_LAG_WINDOW = timedelta(hours=1)  # the feed's lag: over the events received in the last hour


@dataclass(frozen=True)
class BusinessGauges:
    open_orders: dict[tuple[str, str], int]  # (status, store) -> orders
    at_risk: dict[str, int]  # store -> open orders at risk (stock or preparation SLA)
    outbox_backlog: dict[str, int]  # channel (email, sms) -> messages not yet sent
    dead_letters: int  # open (neither replayed nor erased)
    support_alerts: dict[str, int]  # kind -> unresolved
    feed_lag_seconds: float | None  # the longest event time → received, over the last hour's events
    event_backlog: dict[str, int] = field(default_factory=dict)  # subscription -> order events pending


async def business_gauges(conn: AsyncConnection) -> BusinessGauges:
    ended = [status.value for status in TERMINAL]
    still_open = orders.c.status.not_in(ended)
    by_status = await conn.execute(
        select(orders.c.status, orders.c.store_id, func.count())
        .where(still_open)
        .group_by(orders.c.status, orders.c.store_id)
    )
    at_risk = await conn.execute(
        select(orders.c.store_id, func.count())
        .where(still_open, orders.c.at_risk)
        .group_by(orders.c.store_id)
    )
    backlog = await conn.execute(
        select(notifications.c.channel, func.count())
        .where(notifications.c.status.in_(BACKLOG))
        .group_by(notifications.c.channel)
    )
    letters = await conn.scalar(select(func.count()).where(dead_letters.c.status == "open"))
    alerts = await conn.execute(
        select(support_alerts.c.kind, func.count())
        .where(support_alerts.c.resolved_at.is_(None))
        .group_by(support_alerts.c.kind)
    )
    lag = await conn.scalar(
        select(
            func.max(func.extract("epoch", inventory_events.c.received_at - inventory_events.c.occurred_at))
        ).where(inventory_events.c.received_at > func.now() - FEED_LAG_WINDOW)
    )
    events = await conn.execute(
        select(event_deliveries.c.subscription_id, func.count())
        .where(event_deliveries.c.status == "pending")
        .group_by(event_deliveries.c.subscription_id)
    )
    return BusinessGauges(
        open_orders={(status, store): count for status, store, count in by_status.all()},
        at_risk={store: count for store, count in at_risk.all()},
        outbox_backlog={channel: count for channel, count in backlog.all()},
        dead_letters=int(letters or 0),
        support_alerts={kind: count for kind, count in alerts.all()},
        feed_lag_seconds=float(lag) if lag is not None else None,
        event_backlog={subscription: count for subscription, count in events.all()},
    )
