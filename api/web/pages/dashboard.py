"""The ops dashboard: the KPIs of a period for the network, per store and per day, with charts drawn on
the server and the seed targets as lines, and the open support alerts. Signed in with an ops key; the
figures come from the same use case as `GET /v1/kpis`."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.access import grant_for
from api.deps import ConnectionDep
from api.kpi_documents import report_csv
from api.web.charts import Chart, bar_chart
from api.web.i18n import LANGUAGES
from api.web.render import gettext, language, page, redirect
from api.web.session import Anyone, Form, Ops, fresh, remember, with_language
from domain.access import Grant, Role
from domain.kpi_report import KpiReport
from domain.kpis import INVENTORY_ACCURACY_TARGET, PICKUP_CONVERSION_TARGET, PREPARATION_TARGET_MINUTES
from services.errors import InvalidField
from services.kpis import kpi_days
from services.stores import list_stores
from services.support import alert_summary

router = APIRouter()
DEFAULT_DAYS = 7
OPS = Grant(role=Role.OPS, name="ops dashboard")


@router.get("/sign-in")
async def sign_in_form(request: Request, session: Anyone) -> Response:
    return page(request, "ops_signin.html", errors={})


@router.post("/sign-in")
async def sign_in(request: Request, session: Anyone, form: Form) -> Response:
    """Only an ops key opens the dashboard; the key itself is not kept, the signed cookie says 'ops'."""
    grant = await grant_for(request, str(form.get("key", "")))
    if grant is None or grant.role is not Role.OPS:
        errors = {"key": gettext(request).gettext("This is not an ops key. Ask the platform team for one.")}
        return page(request, "ops_signin.html", 422, errors=errors)
    remember(request, replace(fresh(), ops=True, language=session.language))
    return redirect(request, "/ops/")


@router.post("/sign-out")
async def sign_out(request: Request, session: Ops, form: Form) -> Response:
    remember(request, replace(fresh(), language=session.language))
    return redirect(request, "/ops/sign-in")


@router.get("/language/{language}")
async def choose_language(request: Request, language: str, session: Anyone) -> Response:
    if language in LANGUAGES:
        remember(request, with_language(session, language))
    return redirect(request, "/ops/")


def _period(start: date | None, end: date | None, timezones: list[str]) -> tuple[date, date]:
    """Whole days, `end` included; by default the last week up to today, in the store furthest ahead (a
    KPI day is the store's own: just after midnight in Paris, UTC's date would leave its today out)."""
    now = datetime.now(UTC)
    end = end or max((now.astimezone(ZoneInfo(zone)).date() for zone in timezones), default=now.date())
    return start or end - timedelta(days=DEFAULT_DAYS - 1), end


@router.get("/")
async def dashboard(
    request: Request,
    session: Ops,
    conn: ConnectionDep,
    start: date | None = None,
    end: date | None = None,
    store: str | None = None,
) -> Response:
    stores = await list_stores(conn)
    start, end = _period(start, end, [s.timezone for s in stores])
    store_id = store if store in {s.id for s in stores} else None
    filters: dict[str, Any] = {"start": start, "end": end, "store": store_id or "", "stores": stores}
    try:
        report = await kpi_days(conn, OPS, start, end, store_id)  # each store's own days
    except InvalidField as refused:
        return page(request, "ops.html", 422, errors={"end": refused.message}, report=None, **filters)
    lang = language(request)
    return page(
        request,
        "ops.html",
        errors={},
        report=report,
        alerts=await alert_summary(conn),
        charts=charts(request, report),
        pct=lambda v: "–" if v is None else format_percent(v, "#,##0.0 %", locale=lang),
        mins=lambda v: "–" if v is None else format_decimal(v, "#,##0.0", locale=lang),
        **filters,
    )


@router.get("/kpis.csv")
async def dashboard_csv(
    request: Request,
    session: Ops,
    conn: ConnectionDep,
    start: date | None = None,
    end: date | None = None,
    store: str | None = None,
) -> Response:
    """The figures on screen as CSV (the same rows as `GET /v1/kpis.csv`)."""
    zones = [s.timezone for s in await list_stores(conn)]
    report = await kpi_days(conn, OPS, *_period(start, end, zones), store or None)
    headers = {"Content-Disposition": 'attachment; filename="kpis.csv"'}
    return Response(report_csv(report), media_type="text/csv; charset=utf-8", headers=headers)


def charts(request: Request, report: KpiReport) -> list[Chart]:
    """Per day, the three seed targets; per store, preparation time and pickup conversion."""
    words, lang = gettext(request), language(request)
    days = [(day.strftime("%d/%m"), kpis) for day, kpis in report.days.items()]
    stores = list(report.stores.items())
    minutes = lambda v: format_decimal(v, "#,##0.#", locale=lang) + " min"  # noqa: E731
    percent = lambda v: format_percent(v, "#,##0.#%", locale=lang)  # noqa: E731
    prep = words.gettext("Target: ready within 15 minutes on average")
    pickup = words.gettext("Target: 95 % of ready orders collected")
    inventory = words.gettext("Target: 99.8 % of counts as expected")
    return [
        bar_chart(
            words.gettext("Time to ready (average), per day"),
            [(label, k.orders.time_to_ready.average) for label, k in days],
            target=PREPARATION_TARGET_MINUTES,
            target_label=prep,
            shown=minutes,
            higher_is_better=False,
        ),
        bar_chart(
            words.gettext("Pickup conversion, per day"),
            [(label, k.orders.pickup_conversion.value) for label, k in days],
            target=PICKUP_CONVERSION_TARGET,
            target_label=pickup,
            shown=percent,
            higher_is_better=True,
            ceiling=1.0,
        ),
        bar_chart(
            words.gettext("Inventory accuracy, per day"),
            [(label, k.stock.inventory_accuracy.value) for label, k in days],
            target=INVENTORY_ACCURACY_TARGET,
            target_label=inventory,
            shown=percent,
            higher_is_better=True,
            ceiling=1.0,
        ),
        bar_chart(
            words.gettext("Time to ready (average), per store"),
            [(store, k.orders.time_to_ready.average) for store, k in stores],
            target=PREPARATION_TARGET_MINUTES,
            target_label=prep,
            shown=minutes,
            higher_is_better=False,
        ),
        bar_chart(
            words.gettext("Pickup conversion, per store"),
            [(store, k.orders.pickup_conversion.value) for store, k in stores],
            target=PICKUP_CONVERSION_TARGET,
            target_label=pickup,
            shown=percent,
            higher_is_better=True,
            ceiling=1.0,
        ),
    ]
