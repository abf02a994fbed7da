"""What support staff must look at."""

from fastapi import APIRouter, Depends

from adapters.db import support
from adapters.db.support import SupportAlertRecord
from api.access import authorize
from api.deps import ConnectionDep

router = APIRouter(prefix="/v1/support", tags=["support"], dependencies=[Depends(authorize)])


@router.get("/alerts", response_model=list[SupportAlertRecord])
async def alerts(conn: ConnectionDep) -> list[SupportAlertRecord]:
    """Open alerts, oldest first (e.g. collection locked after too many wrong pickup codes)."""
    return await support.open_alerts(conn)
