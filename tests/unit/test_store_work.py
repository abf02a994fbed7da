"""The associate's work, pure: the queue's narrow order (search, at-risk flag) and batch picking."""

from datetime import UTC, datetime, timedelta

from domain.status import OrderStatus
from domain.store_work import (
    PickLine,
    Product,
    QueueOrder,
    ScanOutcome,
    ToteLine,
    batch_pick_list,
    batch_scan,
    batch_with_counts,
    flagged,
    matches,
)
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


def _walk() -> list[ToteLine]:
    lamp, tent = Product("LAMP", "Lamp", "111", "A01"), Product("TENT", "Tent", "222", "C02")
    return batch_pick_list(
        [("order-1", [PickLine(tent, 1), PickLine(lamp, 1)]), ("order-2", [PickLine(lamp, 2)])]
    )


def test_a_batch_walks_the_store_once_by_location_then_tote() -> None:
    walk = _walk()
    assert [(row.line.product.sku, row.tote, row.order_id) for row in walk] == [
        ("LAMP", 1, "order-1"),
        ("LAMP", 2, "order-2"),
        ("TENT", 1, "order-1"),
    ]


def test_each_scanned_unit_goes_to_the_first_tote_that_still_wants_it() -> None:
    walk = _walk()
    totes = []
    for _ in range(3):
        scanned = batch_scan(walk, "111")
        assert scanned.outcome is ScanOutcome.COUNTED and scanned.row
        totes.append(scanned.row.tote)
        walk = scanned.rows
    assert totes == [1, 2, 2]
    assert batch_scan(walk, "111").outcome is ScanOutcome.ALREADY_COMPLETE
    assert batch_scan(walk, "999").outcome is ScanOutcome.NOT_ON_ORDER
    assert batch_scan(walk, " ").outcome is ScanOutcome.NOTHING
    typed = batch_with_counts(_walk(), {"2-LAMP": 5, "1-TENT": 1})
    assert [row.line.counted for row in typed] == [0, 2, 1]  # kept within what each order wants
