"""The customer's own view of their order, behind an unguessable link: no API key, no contact data."""

from fastapi import APIRouter

from api.deps import DeskDep, SettingsDep
from api.schemas import TrackedOrderPublic
from services import tracking

router = APIRouter(prefix="/v1/track", tags=["tracking"])


@router.get("/{order_id}/{token}", response_model=TrackedOrderPublic)
async def track(order_id: str, token: str, desk: DeskDep, settings: SettingsDep) -> TrackedOrderPublic:
    """Status, store, lines, times and, while the order waits for the customer, the pickup code."""
    return TrackedOrderPublic.of(await tracking.track(desk, settings.tracking_secret, order_id, token))
