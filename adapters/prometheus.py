"""Prometheus metrics through the official client: request counts and latency histograms kept per API
app (its own registry), and gauges read at scrape time. The Temporal SDK exports its own metrics on a
port of its own (`OMS_SDK_METRICS_ADDRESS`, adapters/temporal.py).

Each API process counts on its own (`oms api --processes N`): Prometheus scrapes and sums them."""

from collections.abc import Iterator, Mapping

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # what generate_latest writes
# Seconds: an API answer is a few milliseconds, intake waits up to OMS_INTAKE_WAIT (5 s), updates 10 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUEST_LABELS = ("method", "route", "status")

Labels = tuple[tuple[str, str], ...]


class RequestMetrics:
    """HTTP requests by method, route (the template, never the raw path: bounded labels) and status,
    with their latency."""

    def __init__(self) -> None:
        disable_created_metrics()  # a `_created` series per counter: noise for our dashboards
        self.registry = CollectorRegistry(auto_describe=True)
        self._count = Counter(
            "oms_http_requests",
            "HTTP requests answered, by method, route and status",
            REQUEST_LABELS,
            registry=self.registry,
        )
        self._latency = Histogram(
            "oms_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route and status",
            REQUEST_LABELS,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self._count.labels(*labels).inc()
        self._latency.labels(*labels).observe(seconds)

    def render(self) -> str:
        return generate_latest(self.registry).decode()


class _Gauge(Collector):
    def __init__(self, name: str, help: str, values: Mapping[Labels, float]) -> None:
        self._name, self._help, self._values = name, help, values

    def collect(self) -> Iterator[Metric]:
        names = [name for name, _ in next(iter(self._values), ())]
        family = GaugeMetricFamily(self._name, self._help, labels=names)
        for labels, value in sorted(self._values.items()):
            family.add_metric([label for _, label in labels], value)
        yield family


def gauge(name: str, help: str, values: Mapping[Labels, float]) -> str:
    """One gauge family read now (labels as (name, value) pairs, the same names for every sample)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Gauge(name, help, values))
    return generate_latest(registry).decode()
