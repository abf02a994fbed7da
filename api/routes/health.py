"""Liveness (`/healthz`: the process answers, whatever its servers) and readiness (`/readyz`: PostgreSQL,
Temporal, and a worker polling the task queue; 503 with the reason of each failing check)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ClientDep, EngineDep, SettingsDep
from api.errors import RETRY_AFTER_SECONDS
from services.health import readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(engine: EngineDep, client: ClientDep, settings: SettingsDep) -> JSONResponse:
    checks = await readiness(engine, client, settings.task_queue)
    ready = all(check.ok for check in checks)
    body = {
        "status": "ready" if ready else "not_ready",
        "checks": {check.name: "ok" if check.ok else check.reason for check in checks},
    }
    headers = None if ready else {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return JSONResponse(body, status_code=200 if ready else 503, headers=headers)
