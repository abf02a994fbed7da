"""The KPI report for a period, at one store or for the network (per store and per day besides)."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import kpis
from domain.access import Grant, Role
from domain.kpi_report import KpiReport, kpi_report
from services.errors import Forbidden, InvalidField
from services.stores import get_store, list_stores

LONGEST_PERIOD = timedelta(days=366)


async def kpi_period(
    conn: AsyncConnection, caller: Grant, start: datetime, end: datetime, store_id: str | None
) -> KpiReport:
    """The KPIs of what happened in [start, end): a store's key sees its own store's, ops any store's or
    the network's; refused for a period backwards or over a year, or an unknown store."""
    if caller.role is Role.STORE:
        if store_id not in (None, caller.store_id):
            raise Forbidden("this key belongs to another store")
        store_id = caller.store_id
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidField(("query", "from"), "give the period with a time zone, e.g. 2026-11-23T00:00:00Z")
    if end <= start:
        raise InvalidField(("query", "to"), "the period ends before it starts")
    if end - start > LONGEST_PERIOD:
        raise InvalidField(("query", "to"), "ask for a year at most")
    if store_id is not None:
        await get_store(conn, store_id)
    history = await kpis.history(conn, start, end, store_id)
    timezones = {store.id: store.timezone for store in await list_stores(conn)}  # days are the stores' own
    return kpi_report(history, start, end, store_id, timezones)
