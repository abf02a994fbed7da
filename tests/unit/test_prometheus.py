"""The Prometheus text the API exports (through prometheus_client), read back with the client's own
parser: counts by route and status, cumulative latency buckets, escaped label values."""

from prometheus_client.parser import text_string_to_metric_families

from adapters.prometheus import LATENCY_BUCKETS, RequestMetrics, gauge


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _key(name: str, status: int, **extra: str) -> tuple[str, frozenset[tuple[str, str]]]:
    labels = {"method": "POST", "route": "/v1/orders", "status": str(status), **extra}
    return name, frozenset(labels.items())


def test_requests_are_counted_by_route_and_status_with_cumulative_latency_buckets() -> None:
    metrics = RequestMetrics()
    metrics.observe("POST", "/v1/orders", 201, 0.02)
    metrics.observe("POST", "/v1/orders", 201, 0.3)
    metrics.observe("POST", "/v1/orders", 409, 7.0)
    samples = _samples(metrics.render())
    bucket = "oms_http_request_duration_seconds_bucket"
    assert samples[_key("oms_http_requests_total", 201)] == 2
    assert samples[_key(bucket, 201, le="0.01")] == 0
    assert samples[_key(bucket, 201, le="0.025")] == 1
    assert samples[_key(bucket, 201, le="0.5")] == 2
    assert samples[_key(bucket, 201, le="+Inf")] == 2
    assert samples[_key("oms_http_request_duration_seconds_sum", 201)] == 0.32
    assert samples[_key("oms_http_request_duration_seconds_count", 201)] == 2
    assert samples[_key(bucket, 409, le="5.0")] == 0
    assert samples[_key(bucket, 409, le="10.0")] == 1


def test_each_family_declares_its_type_once_and_no_created_series() -> None:
    metrics = RequestMetrics()
    metrics.observe("GET", "/healthz", 200, 0.001)
    metrics.observe("GET", "/readyz", 503, 0.001)
    text = metrics.render()
    assert text.count("# TYPE oms_http_requests_total counter") == 1
    assert text.count("# TYPE oms_http_request_duration_seconds histogram") == 1
    buckets = [
        line for line in text.splitlines() if line.startswith("oms_http_request_duration_seconds_bucket")
    ]
    assert len(buckets) == 2 * (len(LATENCY_BUCKETS) + 1)
    assert "_created" not in text


def test_gauge_label_values_are_escaped_and_read_back() -> None:
    text = gauge("oms_x", 'a "help"', {(("kind", 'say "hi"\\now'),): 3})
    assert 'oms_x{kind="say \\"hi\\"\\\\now"} 3.0' in text
    assert _samples(text)[("oms_x", frozenset({("kind", 'say "hi"\\now')}))] == 3
