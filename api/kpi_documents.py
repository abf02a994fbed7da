"""The KPI report as the API gives it: a JSON document, or CSV rows (scope, day, kpi, detail, value)."""

import csv
import io
from typing import Any

from domain.kpi_report import KpiReport, KpiSet, figures
from domain.kpi_returns import ProductReturns
from domain.kpis import INVENTORY_ACCURACY_TARGET, PICKUP_CONVERSION_TARGET, PREPARATION_TARGET_MINUTES

TARGETS = {
    "time_to_ready_avg_min": PREPARATION_TARGET_MINUTES,
    "pickup_conversion": PICKUP_CONVERSION_TARGET,
    "inventory_accuracy": INVENTORY_ACCURACY_TARGET,
}


def kpi_set_document(kpis: KpiSet) -> dict[str, Any]:
    return {
        **figures(kpis),
        "cancellations": [
            {"reason": t.key, "actor": t.detail, "count": t.count} for t in kpis.orders.cancellations
        ],
        "exceptions": [{"kind": t.key, "reason": t.detail, "count": t.count} for t in kpis.orders.exceptions],
        "return_reasons": [{"reason": t.key, "units": t.count} for t in kpis.returns.reasons],
        "product_returns": [
            {
                "sku": p.sku,
                "taken_home": p.return_rate.whole,
                "returned": p.return_rate.part,
                "return_rate": p.return_rate.value,
                "reasons": [{"reason": t.key, "units": t.count} for t in p.reasons],
            }
            for p in returned_products(kpis)
        ],
    }


def returned_products(kpis: KpiSet) -> list[ProductReturns]:
    """The products of which at least one unit came back (the others: a return rate of 0)."""
    return [p for p in kpis.returns.products if p.return_rate.part]


def report_document(report: KpiReport) -> dict[str, Any]:
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "store_id": report.store_id,
        "targets": TARGETS,
        "total": kpi_set_document(report.total),
        "stores": {store: kpi_set_document(kpis) for store, kpis in report.stores.items()},
        "days": {day.isoformat(): kpi_set_document(kpis) for day, kpis in report.days.items()},
    }


def _rows(scope: str, day: str, kpis: KpiSet) -> list[list[Any]]:
    rows: list[list[Any]] = [[scope, day, name, "", value] for name, value in figures(kpis).items()]
    rows += [
        [scope, day, "cancellations", f"{t.key} / {t.detail}", t.count] for t in kpis.orders.cancellations
    ]
    rows += [[scope, day, "exceptions", f"{t.key} / {t.detail}", t.count] for t in kpis.orders.exceptions]
    rows += [[scope, day, "return_reasons", t.key, t.count] for t in kpis.returns.reasons]
    for product in returned_products(kpis):
        rows.append([scope, day, "product_return_rate", product.sku, product.return_rate.value])
        rows += [
            [scope, day, "product_return_reasons", f"{t.detail} / {t.key}", t.count] for t in product.reasons
        ]
    return rows


def report_csv(report: KpiReport) -> str:
    """One row per KPI: for the period (day `period`) at every scope, then per day for the report's scope."""
    scope = report.store_id or "network"
    rows = _rows(scope, "period", report.total)
    if report.store_id is None:
        for store, kpis in report.stores.items():
            rows += _rows(store, "period", kpis)
    for day, kpis in report.days.items():
        rows += _rows(scope, day.isoformat(), kpis)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scope", "day", "kpi", "detail", "value"])
    writer.writerows([[*row[:4], "" if row[4] is None else row[4]] for row in rows])
    return out.getvalue()
