"""After an experiment: every acknowledged order reached its end, nothing happened twice (orders,
reservations, ledger entries, payments, messages) and the stock levels agree with their ledger."""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import stock

_PER_ORDER = text(
    """
SELECT o.id, o.status,
       (SELECT count(*) FROM orders d
         WHERE d.channel = o.channel AND d.channel_order_id = o.channel_order_id) AS copies,
       (SELECT count(*) FROM stock_movements m WHERE m.holder_id = o.id AND m.kind = 'reserve') AS reserves,
       (SELECT count(*) FROM stock_movements m WHERE m.holder_id = o.id AND m.kind = 'commit') AS commits,
       (SELECT coalesce(sum(m.on_hand_delta), 0) FROM stock_movements m WHERE m.holder_id = o.id) AS on_hand,
       (SELECT coalesce(sum(m.reserved_delta), 0) FROM stock_movements m WHERE m.holder_id = o.id) AS reserved,
       (SELECT count(*) - count(DISTINCT p.kind) FROM payment_entries p
         WHERE p.order_id = o.id AND p.kind IN ('authorization', 'capture')) AS extra_payments,
       (SELECT count(*) - count(DISTINCT (n.kind, n.channel)) FROM notifications n
         WHERE n.order_id = o.id AND n.kind NOT LIKE '%%reminder%%') AS extra_messages
  FROM orders o
 WHERE o.id = ANY(CAST(:ids AS text[]))
"""
)


@dataclass
class Outcome:
    acknowledged: int
    ended: int
    lost: list[str]  # acknowledged, never recorded
    stuck: list[str]  # recorded, never ended
    duplicated: list[str]  # "order: what happened twice"
    ledger_drifts: int

    @property
    def clean(self) -> bool:
        return not (self.lost or self.stuck or self.duplicated or self.ledger_drifts)


async def check(engine: AsyncEngine, acknowledged: list[str], ended: set[str]) -> Outcome:
    async with engine.connect() as conn:
        rows = (await conn.execute(_PER_ORDER, {"ids": acknowledged})).all()
        drifts = await stock.check_ledger(conn)
    found = {row.id: row for row in rows}
    duplicated = []
    for row in rows:
        problems = [
            f"{row.copies} orders for one channel order" if row.copies != 1 else "",
            f"{row.reserves} reservations" if row.reserves != 1 else "",
            f"{row.commits} commits" if row.commits > 1 else "",
            f"{row.extra_payments} payment entries twice" if row.extra_payments else "",
            f"{row.extra_messages} messages twice" if row.extra_messages else "",
            f"ledger moved {row.on_hand} on hand, {row.reserved} reserved"
            if row.status == "collected" and (row.on_hand, row.reserved) != (-1, 0)
            else "",
        ]
        duplicated += [f"{row.id}: {problem}" for problem in problems if problem]
    return Outcome(
        acknowledged=len(acknowledged),
        ended=sum(1 for row in rows if row.status in ended),
        lost=[order for order in acknowledged if order not in found],
        stuck=[f"{row.id} ({row.status})" for row in rows if row.status not in ended],
        duplicated=duplicated,
        ledger_drifts=len(drifts),
    )
