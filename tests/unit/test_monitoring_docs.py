"""The Grafana dashboard and alert rules in docs/monitoring/ ask only for series the API exports."""

import json
import re
from pathlib import Path

from adapters.db.gauges import BusinessGauges
from adapters.prometheus import RequestMetrics
from api.routes.metrics import render_gauges

DOCS = Path(__file__).parents[2] / "docs" / "monitoring"
SUFFIXES = ("_bucket", "_sum", "_count")


def _exported() -> set[str]:
    metrics = RequestMetrics()
    metrics.observe("GET", "/healthz", 200, 0.001)
    gauges = BusinessGauges(
        {("ready_for_pickup", "s"): 1}, {"s": 1}, {"sms": 1}, 1, {"order_parked": 1}, 2.0, {"sub-1": 3}
    )
    text = metrics.render() + render_gauges(gauges)
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if not line.startswith("#")}


def _asked(text: str) -> set[str]:
    return set(re.findall(r"\boms_[a-z_]+", text))


def test_the_dashboard_is_json_and_asks_for_exported_series() -> None:
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    exprs = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel["targets"])
    assert _asked(exprs) and _asked(exprs) <= _exported()


def test_the_alert_rules_ask_for_exported_series() -> None:
    rules = (DOCS / "alerts.yml").read_text()
    assert _asked(rules) <= _exported()
    for name in ("OmsWorkflowTasksWaiting", "OmsOrdersAtRisk", "OmsOutboxBacklog", "OmsDeadLetters"):
        assert f"alert: {name}" in rules
