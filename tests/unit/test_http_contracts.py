"""The HTTP contract apart from the domain: bodies build the same commands and payloads, answers show the
read model's JSON, and every refusal of the service layer has one HTTP answer."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from api.access import REDACTED
from api.errors import http_answer
from api.schemas import ChoiceBody, OrderBody, OrderPublic
from domain.commands import CustomerChoice
from domain.decisions import CandidateScore
from domain.errors import OrderError
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import MissingLine, OrderPlacement, PickedLine, StockAtRisk, TimelineEntry
from services import errors
from tests.conftest import placement

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MISSING = [MissingLine(sku="TENT-2P", requested=2, available=1)]
NEARBY = [CandidateScore(store_id="paris-bastille", distance_km=2.1, ready_today=True, score=0.4)]


def test_an_order_body_builds_the_placement_a_channel_would_send() -> None:
    sent = placement(lines=[("TENT-2P", 2), ("STOVE-GAS", 1)]).model_dump(mode="json")
    built = OrderBody.model_validate(sent).placement()
    assert built == OrderPlacement.model_validate(sent)
    assert built.fingerprint() == OrderPlacement.model_validate(sent).fingerprint()


def test_an_order_body_refuses_what_the_placement_refuses() -> None:
    sent = placement(lines=[("TENT-2P", 1)]).model_dump(mode="json")
    for bad in ({"lines": sent["lines"] * 2}, {"surprise": 1}, {"currency": "euros"}):
        with pytest.raises(ValueError):
            OrderBody.model_validate(sent | bad)


def test_a_choice_body_builds_the_customers_choice() -> None:
    body = ChoiceBody.model_validate({"option": "other_store", "store_id": "paris-bastille"})
    assert body.command("channel:webshop") == CustomerChoice(
        option="other_store", store_id="paris-bastille", actor="channel:webshop"
    )


def test_the_order_answer_is_the_read_models_json_and_store_staff_see_no_contact_data() -> None:
    placed = placement()
    view = OrderView(
        order_id=placed.order_id,
        placement=placed,
        status=OrderStatus.PICKED,
        timeline=[TimelineEntry(at=AT, status=OrderStatus.RECEIVED, actor="channel:webshop")],
        picked=[PickedLine(sku="TENT-2P", quantity=1)],
        stock_at_risk=[StockAtRisk(store_id="paris-rivoli", sku="TENT-2P", short_by=1, detected_at=AT)],
        refunded=Decimal("12.50"),
        alternatives=NEARBY,
        version=7,
    )
    answer = OrderPublic.seen(view).model_dump(mode="json")
    assert answer.pop("returns") == []  # returns come from their own read model (the route adds them)
    assert answer == view.model_dump(mode="json")
    customer = OrderPublic.seen(view, contact=False).model_dump(mode="json")["placement"]["customer"]
    assert (customer["name"], customer["email"], customer["phone"]) == ("Camille Martin", REDACTED, REDACTED)


def _answer(error: errors.ServiceError) -> tuple[int, dict[str, Any]]:
    api_error = http_answer(error)
    return api_error.status, {"error": api_error.error, "message": api_error.message, **api_error.extra}


def test_refusals_of_the_service_layer_map_to_their_http_answers() -> None:
    assert _answer(errors.NotFound("store", "x")) == (
        404,
        {"error": "store_not_found", "message": "store 'x' does not exist"},
    )
    status, body = _answer(errors.InvalidField(("lines", 0, "sku"), "unknown sku 'X'"))
    assert status == 422 and body["detail"] == [
        {"loc": ["body", "lines", 0, "sku"], "msg": "unknown sku 'X'", "type": "value_error"}
    ]
    status, body = _answer(errors.InsufficientStock("order-webshop-1", MISSING, NEARBY))
    assert (status, body["error"], body["order_id"]) == (409, "insufficient_stock", "order-webshop-1")
    assert body["missing"] == [{"sku": "TENT-2P", "requested": 2, "available": 1}]
    assert body["alternatives"] == [
        {"store_id": "paris-bastille", "distance_km": 2.1, "ready_by": None, "ready_today": True}
    ]
    status, body = _answer(errors.StoreClosed("order-webshop-1", []))
    assert (status, body["error"], body["missing"]) == (409, "store_closed", [])
    status, body = _answer(errors.HoldRefused(MISSING))
    assert (status, body["error"], set(body)) == (409, "insufficient_stock", {"error", "message", "missing"})
    assert _answer(errors.OrderEnded("order-webshop-1", "collected")) == (
        409,
        {"error": "transition_not_allowed", "message": "order is collected", "current_status": "collected"},
    )
    assert _answer(errors.Forbidden("this order belongs to another store"))[0] == 403
    assert _answer(errors.TemporalUnavailable())[1]["error"] == "temporal_unavailable"
    assert _answer(errors.OrderBusy("order-webshop-1", "retry"))[:1] == (503,)
    assert _answer(errors.OrdersInProgress(["order-webshop-1"]))[1]["orders"] == ["order-webshop-1"]
    assert _answer(errors.NotConfigured("tracking links need OMS_TRACKING_SECRET"))[0] == 404


@pytest.mark.parametrize(
    ("kind", "details", "status", "error", "extra"),
    [
        (OrderError.TRANSITION, ["picked"], 409, "transition_not_allowed", {"current_status": "picked"}),
        (OrderError.PICKUP_LOCKED, [], 423, "pickup_locked", {}),
        (OrderError.NOT_LOCKED, [], 409, "pickup_not_locked", {}),
        (OrderError.NOTHING_TO_RESEND, [], 409, "nothing_to_resend", {}),
        (OrderError.CHANNEL_ORDER_CONFLICT, [], 409, "channel_order_conflict", {}),
        (OrderError.EXCEPTION_PENDING, [], 409, "exception_pending", {}),
        (None, [], 502, "order_update_failed", {}),
    ],
)
def test_a_step_the_workflow_refused_keeps_its_http_answer(
    kind: str | None, details: list[Any], status: int, error: str, extra: dict[str, Any]
) -> None:
    assert _answer(errors.StepRefused(kind, "no", details)) == (
        status,
        {"error": error, "message": "no", **extra},
    )


def test_a_refused_pick_or_choice_names_the_field_in_the_body() -> None:
    _, pick = _answer(errors.StepRefused(OrderError.INVALID_PICK, "too many", ["lines[1].quantity"]))
    assert pick["detail"][0]["loc"] == ["body", "lines", 1, "quantity"]
    _, code = _answer(errors.StepRefused(OrderError.WRONG_PICKUP_CODE, "wrong code"))
    assert code["detail"][0]["loc"] == ["body", "pickup_code"]
    _, choice = _answer(errors.StepRefused(OrderError.INVALID_CHOICE, "not offered", ["store_id"]))
    assert choice["detail"][0]["loc"] == ["body", "store_id"]


def test_a_dead_letter_answers_its_cause_or_every_bad_field_with_its_id() -> None:
    status, body = _answer(errors.DeadLettered(7, [], errors.NotFound("store", "x")))
    assert (status, body["error"], body["dead_letter_id"]) == (404, "store_not_found", 7)
    reasons = [{"loc": ["body", "lines"], "msg": "Field required", "type": "missing"}]
    status, body = _answer(errors.DeadLettered(8, reasons))
    assert (status, body) == (
        422,
        {
            "error": "validation_error",
            "message": "body.lines: Field required",
            "detail": reasons,
            "dead_letter_id": 8,
        },
    )
