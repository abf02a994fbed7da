"""The customer's own view of their order, behind an unguessable link: no login, no contact data."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from temporalio.service import RPCError

from domain import ids
from domain.status import OrderStatus
from domain.values import OrderLine, StoreProfile
from services.errors import NotConfigured, NotFound, OrderBusy
from services.orders import OrderDesk, find_order


def tracking_token(secret: str, order_id: str) -> str:
    """An HMAC of the order id: unguessable without the secret, nothing stored."""
    digest = hmac.new(secret.encode(), order_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def tracking_url(secret: str | None, public_url: str, order_id: str) -> str:
    """The link a channel gives its customer."""
    if not secret:
        raise NotConfigured("tracking links need OMS_TRACKING_SECRET")
    return f"{public_url.rstrip('/')}/v1/track/{order_id}/{tracking_token(secret, order_id)}"


@dataclass(frozen=True)
class TrackedOrder:
    reference: str
    status: OrderStatus
    store: StoreProfile | None
    lines: list[OrderLine]
    ready_by: datetime | None
    pickup_deadline: datetime | None
    pickup_code: str | None


async def track(desk: OrderDesk, secret: str | None, order_id: str, token: str) -> TrackedOrder:
    """Status, store, lines, times and, while the order waits for the customer, the pickup code. An
    unknown order and a wrong token get the same answer."""
    expected = tracking_token(secret, order_id).encode() if secret else b""
    if not expected or not hmac.compare_digest(expected, token.encode()):  # bytes: any input compares
        raise NotFound("order", order_id)
    order = await find_order(desk, order_id)
    code = None
    if order.status is OrderStatus.READY:
        try:
            code = await desk.client.get_workflow_handle(order_id).query(
                ids.QUERY_PICKUP_CODE, result_type=str
            )
        except RPCError:
            raise OrderBusy(order_id, "the pickup code cannot be read right now; retry") from None
    return TrackedOrder(
        reference=order.placement.channel_order_id,
        status=order.status,
        store=order.store.model_copy(update={"email": None}) if order.store else None,
        lines=order.placement.lines,
        ready_by=order.ready_by,
        pickup_deadline=order.pickup_deadline,
        pickup_code=code,
    )
