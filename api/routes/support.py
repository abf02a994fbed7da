"""What support staff must look at."""

from fastapi import APIRouter, Depends

from api.access import authorize
from api.deps import ConnectionDep
from api.schemas import SupportAlertPublic
from services import support

router = APIRouter(prefix="/v1/support", tags=["support"], dependencies=[Depends(authorize)])


@router.get("/alerts", response_model=list[SupportAlertPublic])
async def alerts(conn: ConnectionDep) -> list[SupportAlertPublic]:
    """Open alerts, oldest first (e.g. collection locked after too many wrong pickup codes)."""
    return [SupportAlertPublic.of(alert) for alert in await support.open_alerts(conn)]
