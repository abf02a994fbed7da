"""The return rules, without servers: window, quantities, refusals, refund shares, conditions."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.order_state import OrderState
from domain.returns import (
    ItemCondition,
    ReturnError,
    ReturnLine,
    ReturnPolicy,
    ReturnReason,
    ReturnRefused,
    ReturnRequest,
    check_return,
    handed_over,
    refund_for,
    stock_moves,
)
from domain.status import OrderStatus
from domain.values import OrderLine, PickedLine, TimelineEntry
from tests.conftest import placement
from tests.unit.order_builders import AT

OK, BROKEN = ItemCondition.RESELLABLE, ItemCondition.DAMAGED


def collected_order(
    taken: dict[str, int] | None = None, *, status: OrderStatus = OrderStatus.COLLECTED, **prices: str
) -> OrderState:
    """Collected at AT: 2 tents at 10.00 and 3 stoves at 10.00 unless told."""
    taken = taken or {"TENT-2P": 2, "STOVE-GAS": 3}
    placed = placement("R-1", lines=[(sku, 3) for sku in taken])
    placed.lines = [
        OrderLine(sku=sku, quantity=3, unit_price=Decimal(prices.get(sku.replace("-", "_"), "10.00")))
        for sku in taken
    ]
    return OrderState(
        order_id=placed.order_id,
        placement=placed,
        status=status,
        timeline=[
            TimelineEntry(at=AT - timedelta(days=1), status=OrderStatus.READY, actor="test"),
            TimelineEntry(at=AT, status=status, actor="test"),
        ],
        collected=[PickedLine(sku=sku, quantity=q) for sku, q in taken.items()],
    )


def returning(*lines: tuple[str, list[ItemCondition]], **extra: Any) -> ReturnRequest:
    return ReturnRequest(
        order_id="order-webshop-R-1",
        store_id="paris-bastille",
        actor="store:paris-bastille",
        lines=[ReturnLine(sku=sku, reason=ReturnReason.WRONG_SIZE, conditions=c) for sku, c in lines],
        **extra,
    )


def refusal(order: OrderState, request: ReturnRequest, **kwargs: Any) -> ReturnRefused:
    arguments: dict[str, Any] = {
        "returned": Counter(),
        "now": AT + timedelta(days=3),
        "policy": ReturnPolicy(),
    }
    with pytest.raises(ReturnRefused) as refused:
        check_return(order, request, **{**arguments, **kwargs})
    return refused.value


def test_a_return_within_the_window_of_units_taken_home_is_accepted() -> None:
    check_return(
        collected_order(),
        returning(("TENT-2P", [OK, BROKEN])),
        Counter(),
        AT + timedelta(days=30),
        ReturnPolicy(),
    )


def test_a_return_after_the_window_is_refused_naming_the_order() -> None:
    refused = refusal(collected_order(), returning(("TENT-2P", [OK])), now=AT + timedelta(days=30, seconds=1))
    assert (refused.error, refused.field) == (ReturnError.WINDOW_CLOSED, "order")
    assert "2026-12-23" in str(refused)


def test_the_window_can_differ_per_channel() -> None:
    policy = ReturnPolicy(per_channel={"webshop": timedelta(days=14)})
    refused = refusal(
        collected_order(), returning(("TENT-2P", [OK])), now=AT + timedelta(days=15), policy=policy
    )
    assert refused.error is ReturnError.WINDOW_CLOSED
    assert policy.window_for("marketplace") == timedelta(days=30)


@pytest.mark.parametrize("status", [OrderStatus.READY, OrderStatus.CANCELLED, OrderStatus.EXPIRED])
def test_an_order_never_collected_is_refused(status: OrderStatus) -> None:
    refused = refusal(collected_order(status=status), returning(("TENT-2P", [OK])))
    assert (refused.error, refused.field) == (ReturnError.NEVER_COLLECTED, "order")


def test_a_delivered_order_may_come_back_to_a_store() -> None:
    order = collected_order(status=OrderStatus.SHIPPED)
    order.collected = []
    assert handed_over(order) == Counter({"TENT-2P": 3, "STOVE-GAS": 3})
    check_return(order, returning(("TENT-2P", [OK] * 3)), Counter(), AT, ReturnPolicy())


def test_more_units_than_were_collected_are_refused_naming_the_line() -> None:
    refused = refusal(collected_order(), returning(("STOVE-GAS", [OK]), ("TENT-2P", [OK, OK, OK])))
    assert (refused.error, refused.field) == (ReturnError.MORE_THAN_BOUGHT, "lines[1].conditions")


def test_units_already_returned_count_against_what_may_come_back() -> None:
    refused = refusal(collected_order(), returning(("TENT-2P", [OK, OK])), returned=Counter({"TENT-2P": 1}))
    assert refused.error is ReturnError.MORE_THAN_BOUGHT
    assert "1 may" in str(refused)


def test_a_line_already_returned_in_full_is_refused() -> None:
    refused = refusal(collected_order(), returning(("TENT-2P", [OK])), returned=Counter({"TENT-2P": 2}))
    assert (refused.error, refused.field) == (ReturnError.ALREADY_RETURNED, "lines[0].sku")


def test_a_sku_the_order_never_had_is_refused() -> None:
    refused = refusal(collected_order(), returning(("KETTLE", [OK])))
    assert refused.error is ReturnError.MORE_THAN_BOUGHT


def test_a_sku_twice_in_one_return_is_refused_at_the_door() -> None:
    with pytest.raises(ValidationError, match="each SKU once"):
        returning(("TENT-2P", [OK]), ("TENT-2P", [BROKEN]))


def test_a_partial_return_refunds_its_share_of_the_capture() -> None:
    order = collected_order(TENT_2P="30.00")  # 2 × 30.00 + 3 × 10.00 = 90.00 captured
    amount = refund_for(order, returning(("TENT-2P", [OK])), Counter(), Decimal("90.00"), Decimal("0"))
    assert amount == Decimal("30.00")


def test_a_share_is_rounded_half_even_to_the_cent() -> None:
    # 100.00 captured for 90.00 of goods (a shipping fee): one stove's share is 11.111… → 11.11
    amount = refund_for(
        collected_order(TENT_2P="30.00"),
        returning(("STOVE-GAS", [OK])),
        Counter(),
        Decimal("100.00"),
        Decimal("0"),
    )
    assert amount == Decimal("11.11")


def test_the_last_return_refunds_what_is_left_so_shares_add_up_to_the_capture() -> None:
    order, captured = collected_order({"TENT-2P": 3}), Decimal("10.00")  # three shares of 3.33…
    first = refund_for(order, returning(("TENT-2P", [OK])), Counter(), captured, Decimal("0"))
    second = refund_for(order, returning(("TENT-2P", [OK])), Counter({"TENT-2P": 1}), captured, first)
    last = refund_for(order, returning(("TENT-2P", [OK])), Counter({"TENT-2P": 2}), captured, first + second)
    assert (first, second, last) == (Decimal("3.33"), Decimal("3.33"), Decimal("3.34"))
    assert first + second + last == captured


def test_a_refund_never_exceeds_captured_minus_refunded() -> None:
    amount = refund_for(
        collected_order(), returning(("TENT-2P", [OK])), Counter(), Decimal("50.00"), Decimal("45.00")
    )
    assert amount == Decimal("5.00")
    nothing = refund_for(
        collected_order(), returning(("TENT-2P", [OK])), Counter(), Decimal("50"), Decimal("60")
    )
    assert nothing == Decimal("0")


def test_each_unit_goes_back_on_the_shelf_or_is_written_off_by_its_condition() -> None:
    request = returning(("TENT-2P", [OK, BROKEN]), ("STOVE-GAS", [BROKEN]))
    assert stock_moves(request) == ({"TENT-2P": 1}, {"TENT-2P": 1, "STOVE-GAS": 1})


def test_a_line_without_a_condition_per_unit_or_a_listed_reason_is_refused() -> None:
    with pytest.raises(ValidationError):
        ReturnLine(sku="TENT-2P", reason=ReturnReason.OTHER, conditions=[])
    with pytest.raises(ValidationError):
        ReturnLine.model_validate({"sku": "TENT-2P", "reason": "too expensive", "conditions": ["resellable"]})
