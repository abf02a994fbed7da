"""The nightly reconciliation's rules: which reservations no running order holds, which messages are stuck."""

from datetime import UTC, datetime, timedelta

from domain.reconciliation import HeldStock, ReconciliationReport, alert_key, orphaned, stuck
from domain.status import OrderStatus

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(hours=2)


def held(
    holder: str = "order-web-1", status: OrderStatus | None = OrderStatus.RESERVED, **changes
) -> HeldStock:  # type: ignore[no-untyped-def]
    values = dict(
        holder_id=holder,
        store_id="paris",
        sku="TENT",
        quantity=1,
        updated_at=OLD,
        order_status=status,
        order_store_id="paris",
    )
    return HeldStock.model_validate(values | changes)


def test_a_running_order_keeps_its_reservation() -> None:
    assert orphaned(held(), NOW) is None
    assert orphaned(held(status=OrderStatus.READY), NOW) is None


def test_a_reservation_of_an_order_that_ended_or_never_was_is_orphaned() -> None:
    assert orphaned(held(status=OrderStatus.CANCELLED), NOW) == "order order-web-1 is cancelled"
    assert orphaned(held(status=None), NOW) == "no order order-web-1 was ever recorded"
    assert orphaned(held(status=OrderStatus.IN_DELIVERY), NOW) == "order order-web-1 is in_delivery"


def test_a_reservation_left_behind_at_a_store_the_order_moved_from_is_orphaned() -> None:
    left = held("order-web-1@1", order_store_id="lyon")
    assert orphaned(left, NOW) == "order order-web-1 moved to lyon"


def test_a_delivery_reservation_holds_until_the_order_ends() -> None:
    shipping = held("order-web-1@delivery", status=OrderStatus.IN_DELIVERY, order_store_id="paris-la-defense")
    assert orphaned(shipping, NOW) is None
    assert orphaned(shipping.model_copy(update={"order_status": OrderStatus.SHIPPED}), NOW) is not None


def test_recent_reservations_are_left_to_the_workflow_moving_them() -> None:
    assert orphaned(held(status=None, updated_at=NOW - timedelta(minutes=5)), NOW) is None


def test_a_message_sending_for_an_hour_is_stuck() -> None:
    assert stuck(NOW - timedelta(hours=1), NOW) and not stuck(NOW - timedelta(minutes=10), NOW)


def test_one_alert_per_night() -> None:
    report = ReconciliationReport(checked_at=NOW)
    assert report.clean and alert_key(report) == "reconciliation:2026-11-24"
    assert report.summary().startswith("0 stock level(s) differ from the ledger")
