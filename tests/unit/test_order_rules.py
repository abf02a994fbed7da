"""Pick checks, pickup codes, shortages, identifiers and the placement contract."""

import pytest
from pydantic import ValidationError

from domain.ids import order_workflow_id
from domain.messages import channels_for, fallback_for, notification_for
from domain.notifications import NotificationKind
from domain.order import PickMismatch, check_pick, new_pickup_code, pickup_code_matches
from domain.order_state import OrderState
from domain.status import OrderStatus
from domain.stock import StockLevel, shortages
from domain.values import ContactPreference, OrderLine, PickedLine
from tests.conftest import placement

LINES = [
    OrderLine(sku="TENT-2P", quantity=1, unit_price="149.00"),
    OrderLine(sku="BOTTLE-1L", quantity=3, unit_price="19.90"),
]


def test_complete_pick_passes() -> None:
    check_pick(LINES, [PickedLine(sku="BOTTLE-1L", quantity=3), PickedLine(sku="TENT-2P", quantity=1)])


@pytest.mark.parametrize(
    ("picked", "field"),
    [
        (
            [PickedLine(sku="TENT-2P", quantity=1), PickedLine(sku="BOTTLE-1L", quantity=2)],
            "lines[1].quantity",
        ),
        ([PickedLine(sku="TENT-2P", quantity=1), PickedLine(sku="STOVE", quantity=3)], "lines[1].sku"),
        ([PickedLine(sku="TENT-2P", quantity=1), PickedLine(sku="TENT-2P", quantity=1)], "lines[1].sku"),
        ([PickedLine(sku="TENT-2P", quantity=1)], "lines"),
    ],
)
def test_incomplete_or_wrong_pick_names_the_offending_line(picked: list[PickedLine], field: str) -> None:
    with pytest.raises(PickMismatch) as mismatch:
        check_pick(LINES, picked)
    assert mismatch.value.field == field


def test_pickup_code_is_six_digits_and_compared_exactly() -> None:
    assert new_pickup_code(42) == "000042"
    assert new_pickup_code(123_456_789) == "456789"
    assert pickup_code_matches("000042", "000042")
    assert not pickup_code_matches("000042", "000043")
    assert not pickup_code_matches(None, "000042")


def test_shortages_name_every_line_the_store_cannot_fill() -> None:
    missing = shortages(LINES, {"TENT-2P": 5, "BOTTLE-1L": 2})
    assert [(m.sku, m.requested, m.available) for m in missing] == [("BOTTLE-1L", 3, 2)]
    assert [m.sku for m in shortages(LINES, {})] == ["TENT-2P", "BOTTLE-1L"]


def test_available_never_goes_below_zero() -> None:
    assert StockLevel(store_id="s", sku="x", on_hand=2, reserved=5).available == 0
    assert StockLevel(store_id="s", sku="x", on_hand=7, reserved=5).available == 2


def test_order_id_is_derived_from_channel_and_channel_order_id() -> None:
    assert order_workflow_id("webshop", "WEB-1001") == "order-webshop-WEB-1001"
    with pytest.raises(ValueError):
        order_workflow_id("web shop", "1")


def test_placement_refuses_a_sku_on_two_lines_and_fingerprints_its_content() -> None:
    order = placement("F-1", lines=[("TENT-2P", 1)])
    assert order.fingerprint() == placement("F-1", lines=[("TENT-2P", 1)]).fingerprint()
    assert order.fingerprint() != placement("F-1", lines=[("TENT-2P", 2)]).fingerprint()
    with pytest.raises(ValidationError, match="each sku may appear on one line only"):
        placement("F-2", lines=[("TENT-2P", 1), ("TENT-2P", 2)])


def test_messages_go_where_the_customer_agreed() -> None:
    ready, receipt = NotificationKind.READY_FOR_PICKUP, NotificationKind.RECEIPT
    assert channels_for(ready, None) == ("email", "sms")
    assert channels_for(receipt, None) == ("email",)
    assert channels_for(ready, ContactPreference.SMS) == ("sms",)
    assert channels_for(receipt, ContactPreference.SMS) == ("sms",)
    assert channels_for(ready, ContactPreference.EMAIL) == ("email",)
    assert channels_for(ready, ContactPreference.NONE) == ()
    assert fallback_for("sms") == "email" and fallback_for("email") == "sms"


def test_a_notification_carries_the_facts_its_templates_need() -> None:
    order = placement("M-1")
    state = OrderState(
        order_id=order.order_id, placement=order, status=OrderStatus.READY, pickup_code="123456"
    )
    message = notification_for(state, NotificationKind.READY_FOR_PICKUP, sequence=2)
    assert (message.kind, message.sequence, message.facts.pickup_code) == (
        NotificationKind.READY_FOR_PICKUP,
        2,
        "123456",
    )
    assert message.facts.channel_order_id == "M-1" and message.facts.total == order.total


def test_text_that_cannot_be_stored_is_refused_at_the_door() -> None:
    with pytest.raises(ValidationError, match="NUL"):
        placement("N-1").customer.model_validate(
            {"name": "a\x00b", "email": "a@b.fr", "phone": "+33612345678"}
        )
    assert (
        placement("N-2")
        .customer.model_validate({"name": "Zoë Ångström", "email": "a@b.fr", "phone": "+33612345678"})
        .name
        == "Zoë Ångström"
    )
