"""The associate's work, pure: the queue's narrow order (search, at-risk flag) and batch picking."""

from datetime import UTC, datetime, timedelta

from domain.status import OrderStatus
from domain.store_work import QueueOrder, flagged, matches
from domain.values import PreparationSla

NOW = datetime(2026, 7, 1, 10, tzinfo=UTC)


def _queued(status: OrderStatus = OrderStatus.RESERVED, **fields: object) -> QueueOrder:
    sla = PreparationSla(
        accept_at_risk=NOW + timedelta(minutes=5),
        accept_by=NOW + timedelta(minutes=15),
        ready_at_risk=NOW + timedelta(hours=1),
        ready_by=NOW + timedelta(hours=2),
    )
    base: dict[str, object] = {
        "order_id": "order-webshop-W-1",
        "status": status,
        "channel_order_id": "W-1",
        "customer_name": "Inès Moreau",
        "units": 2,
        "sla": sla,
    }
    return QueueOrder(**{**base, **fields})  # type: ignore[arg-type]


def test_the_queue_finds_an_order_by_name_number_or_its_bag_labels_code() -> None:
    order = _queued()
    assert matches(order, "inès") and matches(order, "w-1") and matches(order, "order-webshop-W-1")
    assert matches(order, "  ") and not matches(order, "Becker")


def test_an_order_is_at_risk_near_its_next_deadline_or_when_the_workflow_says_so() -> None:
    assert not flagged(_queued(), NOW)
    assert flagged(_queued(), NOW + timedelta(minutes=6))  # accept-by is close
    assert not flagged(_queued(OrderStatus.ACCEPTED), NOW + timedelta(minutes=6))  # ready-by is far
    assert flagged(_queued(stock_at_risk=True), NOW) and flagged(_queued(sla_at_risk=True), NOW)
    assert not flagged(_queued(OrderStatus.READY, sla=None), NOW)
