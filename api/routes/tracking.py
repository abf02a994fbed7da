"""The customer's own view of their order, behind an unguessable link: no API key, no contact data, no
pickup code; 410 once the order ended longer ago than OMS_TRACKING_GRACE."""

from fastapi import APIRouter

from api.deps import DeskDep, SettingsDep
from api.schemas import TrackedOrderPublic
from domain.ids import TRACKING_PATH
from services import tracking

router = APIRouter(prefix=TRACKING_PATH, tags=["tracking"])


@router.get("/{order_id}/{token}", response_model=TrackedOrderPublic)
async def track(order_id: str, token: str, desk: DeskDep, settings: SettingsDep) -> TrackedOrderPublic:
    """Status, store, lines and times (the pickup code is sent to the customer, never shown here)."""
    tracked = await tracking.track(desk, settings.tracking_secret, order_id, token, settings.tracking_grace)
    return TrackedOrderPublic.of(tracked)
