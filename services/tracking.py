"""The customer's own view of their order, behind an unguessable link: no login, no contact data, no
pickup code (a link gets forwarded and logged; the code goes to the customer's phone and inbox only),
and gone a grace period after the order ends."""

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.deadlines import tracking_link_expiry
from domain.ids import TRACKING_PATH, tracking_token
from domain.status import OrderStatus
from domain.values import OrderLine, StoreProfile
from services.errors import NotConfigured, NotFound, TrackingLinkExpired
from services.orders import OrderDesk, find_order


def tracking_url(secret: str | None, public_url: str, order_id: str) -> str:
    """The link a channel gives its customer."""
    if not secret:
        raise NotConfigured("tracking links need OMS_TRACKING_SECRET")
    return f"{public_url.rstrip('/')}{TRACKING_PATH}/{order_id}/{tracking_token(secret, order_id)}"


@dataclass(frozen=True)
class TrackedOrder:
    reference: str
    status: OrderStatus
    store: StoreProfile | None
    lines: list[OrderLine]
    ready_by: datetime | None
    pickup_deadline: datetime | None


async def track(
    desk: OrderDesk, secret: str | None, order_id: str, token: str, grace: timedelta
) -> TrackedOrder:
    """Status, store, lines and times. An unknown order and a wrong token get the same answer; a link
    whose order ended more than `grace` ago is refused as expired."""
    expected = tracking_token(secret, order_id).encode() if secret else b""
    if not expected or not hmac.compare_digest(expected, token.encode()):  # bytes: any input compares
        raise NotFound("order", order_id)
    order = await find_order(desk, order_id)
    expiry = tracking_link_expiry(order.status, order.timeline, grace)
    if expiry and expiry[1] <= datetime.now(UTC):
        raise TrackingLinkExpired(order.status.value, *expiry)
    return TrackedOrder(
        reference=order.placement.channel_order_id,
        status=order.status,
        store=order.store.model_copy(update={"email": None}) if order.store else None,
        lines=order.placement.lines,
        ready_by=order.ready_by,
        pickup_deadline=order.pickup_deadline,
    )
