"""The nightly reconciliation: stock levels against the ledger, reservations against running orders (an
orphaned one is released), messages stuck in sending; one report, and an ops alert when it found
anything. One transaction: a repeat releases nothing more and raises no second alert for the night."""

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import reconciliation, stock, support
from domain.reconciliation import Orphan, ReconciliationReport, alert_key, orphaned, stuck
from workflows.contracts import SupportAlert

log = logging.getLogger("oms.reconciliation")
ALERT_KIND = "reconciliation"
ALERT_ORDER = "reconciliation"  # the alert is about the system, not one order


async def reconcile(engine: AsyncEngine, now: datetime) -> ReconciliationReport:
    async with engine.begin() as conn:
        drifts = [
            f"{d.store_id}/{d.sku}: levels {d.on_hand} on hand, {d.reserved} reserved; "
            f"ledger {d.ledger_on_hand}, {d.ledger_reserved}"
            for d in await stock.check_ledger(conn)
        ]
        orphans = [
            Orphan(holder_id=h.holder_id, store_id=h.store_id, sku=h.sku, quantity=h.quantity, why=why)
            for h in await reconciliation.held_stock(conn)
            if (why := orphaned(h, now))
        ]
        for holder, why in sorted({(o.holder_id, o.why) for o in orphans}):
            await stock.release(conn, holder, reason=f"nightly reconciliation: {why}")
        stuck_messages = [m for m in await reconciliation.sending_messages(conn) if stuck(m.since, now)]
        report = ReconciliationReport(
            checked_at=now, ledger_drifts=drifts, released=orphans, stuck_messages=stuck_messages
        )
        if not report.clean:
            await support.raise_alert(conn, _alert(report))
    log.info("nightly reconciliation: %s", report.summary())
    return report


def _alert(report: ReconciliationReport) -> SupportAlert:
    lines = [
        report.summary(),
        *report.ledger_drifts,
        *(
            f"released {o.quantity} × {o.sku} at {o.store_id} held by {o.holder_id}: {o.why}"
            for o in report.released
        ),
        *(
            f"message {m.id} ({m.kind}, {m.channel}) of {m.order_id} sending since {m.since:%Y-%m-%d %H:%M}"
            for m in report.stuck_messages
        ),
    ]
    return SupportAlert(order_id=ALERT_ORDER, kind=ALERT_KIND, detail="\n".join(lines), key=alert_key(report))
