"""The Prometheus text exposition format (version 0.0.4), for the few series the API exports itself:
request counts and latency histograms kept in memory, and gauges read at scrape time. The Temporal SDK
exports its own metrics on a port of its own (`OMS_SDK_METRICS_ADDRESS`, adapters/temporal.py)."""

import bisect
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds: an API answer is a few milliseconds, intake waits up to OMS_INTAKE_WAIT (5 s), updates 10 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{name}="{_escape(value)}"' for name, value in labels)
    return f"{{{inner}}}" if inner else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def family(name: str, kind: str, help: str, samples: Iterable[tuple[str, Labels, float]]) -> str:
    """One metric family: HELP, TYPE, then `name{labels} value` for each (suffix, labels, value)."""
    lines = [f"# HELP {name} {_escape(help)}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{suffix}{_labels(labels)} {_number(value)}" for suffix, labels, value in samples]
    return "\n".join(lines) + "\n"


def gauge(name: str, help: str, values: Mapping[Labels, float]) -> str:
    return family(name, "gauge", help, (("", labels, value) for labels, value in sorted(values.items())))


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS))
    total: int = 0
    sum: float = 0.0


class RequestMetrics:
    """HTTP requests by method, route (the template, never the raw path: bounded labels) and status,
    with their latency; safe to observe from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._histograms: dict[Labels, _Histogram] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (("method", method), ("route", route), ("status", str(status)))
        with self._lock:
            histogram = self._histograms.setdefault(labels, _Histogram())
            index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
            for bucket in range(index, len(LATENCY_BUCKETS)):
                histogram.counts[bucket] += 1
            histogram.total += 1
            histogram.sum += seconds

    def render(self) -> str:
        with self._lock:
            items = sorted(
                (labels, _Histogram(list(h.counts), h.total, h.sum)) for labels, h in self._histograms.items()
            )
        counts = family(
            "oms_http_requests_total",
            "counter",
            "HTTP requests answered, by method, route and status",
            (("", labels, histogram.total) for labels, histogram in items),
        )
        samples: list[tuple[str, Labels, float]] = []
        for labels, histogram in items:
            for bound, count in zip(LATENCY_BUCKETS, histogram.counts, strict=True):
                samples.append(("_bucket", (*labels, ("le", _number(bound))), count))
            samples.append(("_bucket", (*labels, ("le", "+Inf")), histogram.total))
            samples.append(("_sum", labels, histogram.sum))
            samples.append(("_count", labels, histogram.total))
        latency = family(
            "oms_http_request_duration_seconds",
            "histogram",
            "Time to answer an HTTP request, by method, route and status",
            samples,
        )
        return counts + latency
