"""What support staff must look at."""

from fastapi import APIRouter, Depends

from api.access import authorize
from api.deps import ConnectionDep
from oms.db import support
from oms.db.support import SupportAlertRecord

router = APIRouter(prefix="/v1/support", tags=["support"], dependencies=[Depends(authorize)])


@router.get("/alerts", response_model=list[SupportAlertRecord])
async def alerts(conn: ConnectionDep) -> list[SupportAlertRecord]:
    """Open alerts, oldest first (e.g. collection locked after too many wrong pickup codes)."""
    return await support.open_alerts(conn)
