"""The customer's own view of their order, behind an unguessable link: no API key, no contact data."""

import base64
import hashlib
import hmac
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel
from temporalio.service import RPCError

from api.deps import ClientDep, EngineDep, SettingsDep
from api.errors import ApiError, not_found
from domain import ids
from domain.status import OrderStatus
from domain.values import OrderLine, StoreProfile
from services.orders import find_order

router = APIRouter(prefix="/v1/track", tags=["tracking"])


def tracking_token(secret: str, order_id: str) -> str:
    """An HMAC of the order id: unguessable without the secret, nothing stored."""
    digest = hmac.new(secret.encode(), order_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


class TrackedOrder(BaseModel):
    reference: str
    status: OrderStatus
    store: StoreProfile | None
    lines: list[OrderLine]
    ready_by: datetime | None
    pickup_deadline: datetime | None
    pickup_code: str | None


@router.get("/{order_id}/{token}", response_model=TrackedOrder)
async def track(
    order_id: str, token: str, client: ClientDep, engine: EngineDep, settings: SettingsDep
) -> TrackedOrder:
    """Status, store, lines, times and, while the order waits for the customer, the pickup code."""
    expected = (
        tracking_token(settings.tracking_secret, order_id).encode() if settings.tracking_secret else b""
    )
    if not expected or not hmac.compare_digest(expected, token.encode()):  # bytes: any input compares
        raise not_found("order", order_id)  # the same answer for an unknown order and a wrong token
    order = await find_order(client, engine, order_id)
    code = None
    if order.status is OrderStatus.READY:
        try:
            code = await client.get_workflow_handle(order_id).query(ids.QUERY_PICKUP_CODE, result_type=str)
        except RPCError:
            raise ApiError(503, "order_busy", "the pickup code cannot be read right now; retry") from None
    store = order.store.model_copy(update={"email": None}) if order.store else None
    return TrackedOrder(
        reference=order.placement.channel_order_id,
        status=order.status,
        store=store,
        lines=order.placement.lines,
        ready_by=order.ready_by,
        pickup_deadline=order.pickup_deadline,
        pickup_code=code,
    )
