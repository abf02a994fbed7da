"""The nightly reconciliation's rules: which reservations no running order holds any more (to release),
which messages are stuck in sending, and the report with its ops alert."""

from datetime import datetime, timedelta

from domain import ids
from domain.contract import Contract
from domain.status import GONE_FROM_STORE, TERMINAL, OrderStatus

SETTLING_TIME = timedelta(hours=1)  # a reservation or message younger than this may still be moving
STUCK_AFTER = timedelta(hours=1)  # a message in `sending` longer than this is stuck


class HeldStock(Contract):
    """An active reservation as the reconciliation sees it, with the order it belongs to (if recorded)."""

    holder_id: str
    store_id: str
    sku: str
    quantity: int
    updated_at: datetime
    order_status: OrderStatus | None = None  # None: no such order in the read model
    order_store_id: str | None = None


class Orphan(Contract):
    holder_id: str
    store_id: str
    sku: str
    quantity: int
    why: str


class StuckMessage(Contract):
    id: int
    order_id: str
    kind: str
    channel: str
    since: datetime


class ReconciliationReport(Contract):
    checked_at: datetime
    ledger_drifts: list[str] = []  # "store/sku: levels on hand 5 reserved 1, ledger 4 / 1"
    released: list[Orphan] = []
    stuck_messages: list[StuckMessage] = []

    @property
    def clean(self) -> bool:
        return not (self.ledger_drifts or self.released or self.stuck_messages)

    def summary(self) -> str:
        return (
            f"{len(self.ledger_drifts)} stock level(s) differ from the ledger, "
            f"{len(self.released)} orphaned reservation(s) released, "
            f"{len(self.stuck_messages)} message(s) stuck in sending"
        )


def orphaned(held: HeldStock, now: datetime) -> str | None:
    """Why no running order holds this reservation any more, or None when one does (or it may still be
    settling: recent rows are left to the workflow that is moving them)."""
    if now - held.updated_at < SETTLING_TIME:
        return None
    order_id = ids.order_of_holder(held.holder_id)
    if held.order_status is None:
        return f"no order {order_id} was ever recorded"
    if held.holder_id == ids.delivery_holder(order_id):
        return f"order {order_id} is {held.order_status.value}" if held.order_status in TERMINAL else None
    if held.order_status in GONE_FROM_STORE:
        return f"order {order_id} is {held.order_status.value}"
    if held.order_store_id != held.store_id:
        return f"order {order_id} moved to {held.order_store_id}"
    return None


def stuck(since: datetime, now: datetime) -> bool:
    """A message still `sending` long after its attempt began: the send's outcome was never recorded."""
    return now - since >= STUCK_AFTER


def alert_key(report: ReconciliationReport) -> str:
    """One ops alert per night's report."""
    return f"reconciliation:{report.checked_at.date().isoformat()}"
