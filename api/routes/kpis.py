"""KPIs from the orders' own history, for a period: JSON, or CSV (`format=csv` or `/v1/kpis.csv`)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from api.access import GrantDep, authorize
from api.deps import ConnectionDep
from api.kpi_documents import report_csv, report_document
from services.kpis import kpi_period

router = APIRouter(prefix="/v1", tags=["operations"], dependencies=[Depends(authorize)])

FromQuery = Annotated[
    datetime | None,
    Query(alias="from", description="start (ISO 8601 with zone); default: 7 days before `to`"),
]
ToQuery = Annotated[
    datetime | None, Query(alias="to", description="end, excluded (ISO 8601 with zone); default: now")
]
StoreQuery = Annotated[str | None, Query(max_length=64, description="one store (a store's key: its own)")]


def period(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    end = end or datetime.now(UTC)
    return start or end - timedelta(days=7), end


@router.get("/kpis")
async def get_kpis(
    conn: ConnectionDep,
    grant: GrantDep,
    start: FromQuery = None,
    end: ToQuery = None,
    store_id: StoreQuery = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """The KPIs of the period for the network (or one store), per store and per day (docs/operations.md)."""
    report = await kpi_period(conn, grant, *period(start, end), store_id)
    if format == "csv":
        return _csv(report_csv(report))
    return report_document(report)


@router.get("/kpis.csv")
async def get_kpis_csv(
    conn: ConnectionDep,
    grant: GrantDep,
    start: FromQuery = None,
    end: ToQuery = None,
    store_id: StoreQuery = None,
) -> Response:
    """The same KPIs as CSV rows: scope, day, kpi, detail, value."""
    return _csv(report_csv(await kpi_period(conn, grant, *period(start, end), store_id)))


def _csv(body: str) -> Response:
    headers = {"Content-Disposition": 'attachment; filename="kpis.csv"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
