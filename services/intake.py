"""Taking an order from any channel: a payload that cannot become an order is kept as a dead letter
(with every reason) for ops to replay once the cause is fixed (a mapping, a missing store)."""

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.channels import FieldError, PayloadRejected
from adapters.db import dead_letters
from api.errors import ApiError
from config.settings import Settings
from domain.values import OrderPlacement
from services.baskets import check_basket
from services.orders import IntakeAnswer, place_order

CANONICAL = "canonical"


def canonical(payload: Any) -> OrderPlacement:
    """Our own JSON (POST /v1/orders)."""
    try:
        return OrderPlacement.model_validate(payload)
    except ValidationError as invalid:
        raise PayloadRejected([FieldError(list(e["loc"]), e["msg"]) for e in invalid.errors()]) from None


async def take_order(
    client: Client,
    engine: AsyncEngine,
    settings: Settings,
    channel: str,
    payload: Any,
    parse: Callable[[Any], OrderPlacement],
    dead_letter_id: int | None = None,
) -> IntakeAnswer:
    try:
        placement = parse(payload)
        async with engine.connect() as conn:
            await check_basket(conn, placement.store_id, [line.sku for line in placement.lines])
    except PayloadRejected as rejected:
        reasons = [{"loc": ["body", *e.loc], "msg": e.msg, "type": "value_error"} for e in rejected.errors]
        raise await dead_letter(engine, channel, payload, reasons, dead_letter_id) from None
    except ApiError as refused:  # unknown store or SKU: fixable by ops, so kept too
        reasons = refused.extra.get("detail") or [{"loc": ["body", "store_id"], "msg": refused.message}]
        raise await dead_letter(engine, channel, payload, reasons, dead_letter_id, refused) from None
    answer = await place_order(
        client, engine, placement, settings.order_policy(), settings.task_queue, settings.intake_wait
    )
    if dead_letter_id is not None:
        async with engine.begin() as conn:
            await dead_letters.settle(conn, dead_letter_id, order_id=answer.order_id, reasons=None)
    return answer


async def dead_letter(
    engine: AsyncEngine,
    channel: str,
    payload: Any,
    reasons: list[dict[str, Any]],
    dead_letter_id: int | None = None,
    refused: ApiError | None = None,
) -> ApiError:
    """Keep the payload (or update a replayed one's reasons) and answer naming every bad field."""
    async with engine.begin() as conn:
        if dead_letter_id is None:
            dead_letter_id = await dead_letters.keep(conn, channel, payload, reasons)
        else:
            await dead_letters.settle(conn, dead_letter_id, order_id=None, reasons=reasons)
    if refused is not None:
        return ApiError(
            refused.status, refused.error, refused.message, **refused.extra, dead_letter_id=dead_letter_id
        )
    message = "; ".join(f"{'.'.join(map(str, r['loc']))}: {r['msg']}" for r in reasons)
    return ApiError(422, "validation_error", message, detail=reasons, dead_letter_id=dead_letter_id)
