"""The KPI report for a period, at one store or for the network (per store and per day besides): an
exact span of time (the API's `from` and `to`), or whole days, each store's own (the ops dashboard)."""

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import kpis
from domain.access import Grant, Role
from domain.kpi_report import KpiReport, day_span, kpi_report, on_store_days
from services.errors import Forbidden, InvalidField
from services.stores import get_store, list_stores

LONGEST_PERIOD = timedelta(days=366)


async def kpi_period(
    conn: AsyncConnection, caller: Grant, start: datetime, end: datetime, store_id: str | None
) -> KpiReport:
    """The KPIs of what happened in [start, end): a store's key sees its own store's, ops any store's or
    the network's; refused for a period backwards or over a year, or an unknown store."""
    store_id = await _checked(conn, caller, start, end, store_id)
    history = await kpis.history(conn, start, end, store_id)
    return kpi_report(history, start, end, store_id, await _timezones(conn))


async def kpi_days(
    conn: AsyncConnection, caller: Grant, first: date, last: date, store_id: str | None
) -> KpiReport:
    """The KPIs of whole days `first` to `last`, each store's own (from its midnight to its midnight):
    the network's days are its stores' days. Refused as `kpi_period` refuses."""
    if last < first:
        raise InvalidField(("query", "to"), "the period ends before it starts")
    timezones = await _timezones(conn)
    if caller.role is Role.STORE:
        store_id = store_id or caller.store_id
    zones: list[str | None] = [timezones.get(store_id)] if store_id else [*timezones.values()] or [None]
    spans = [day_span(first, last, zone) for zone in zones]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    store_id = await _checked(conn, caller, start, end, store_id)
    history = on_store_days(await kpis.history(conn, start, end, store_id), first, last, timezones)
    return kpi_report(history, start, end, store_id, timezones)


async def _checked(
    conn: AsyncConnection, caller: Grant, start: datetime, end: datetime, store_id: str | None
) -> str | None:
    """The store the caller may see the KPIs of (None: the network), for a period it may ask."""
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
    return store_id


async def _timezones(conn: AsyncConnection) -> dict[str, str]:
    """Each store's timezone: a KPI day is the store's own day."""
    return {store.id: store.timezone for store in await list_stores(conn)}
