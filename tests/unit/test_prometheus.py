"""The Prometheus text the API writes itself: cumulative latency buckets, bounded labels, escaping."""

from adapters.prometheus import LATENCY_BUCKETS, RequestMetrics, gauge


def _samples(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def test_requests_are_counted_by_route_and_status_with_cumulative_latency_buckets() -> None:
    metrics = RequestMetrics()
    metrics.observe("POST", "/v1/orders", 201, 0.02)
    metrics.observe("POST", "/v1/orders", 201, 0.3)
    metrics.observe("POST", "/v1/orders", 409, 7.0)
    samples = _samples(metrics.render())
    created = 'method="POST",route="/v1/orders",status="201"'
    assert samples[f"oms_http_requests_total{{{created}}}"] == 2
    assert samples[f'oms_http_request_duration_seconds_bucket{{{created},le="0.01"}}'] == 0
    assert samples[f'oms_http_request_duration_seconds_bucket{{{created},le="0.025"}}'] == 1
    assert samples[f'oms_http_request_duration_seconds_bucket{{{created},le="0.5"}}'] == 2
    assert samples[f'oms_http_request_duration_seconds_bucket{{{created},le="+Inf"}}'] == 2
    assert samples[f"oms_http_request_duration_seconds_sum{{{created}}}"] == 0.32
    assert samples[f"oms_http_request_duration_seconds_count{{{created}}}"] == 2
    short = 'method="POST",route="/v1/orders",status="409"'
    assert samples[f'oms_http_request_duration_seconds_bucket{{{short},le="5"}}'] == 0
    assert samples[f'oms_http_request_duration_seconds_bucket{{{short},le="10"}}'] == 1


def test_each_family_declares_its_type_once() -> None:
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


def test_gauge_label_values_are_escaped() -> None:
    text = gauge("oms_x", 'a "help"', {(("kind", 'say "hi"\\now'),): 3})
    assert '# HELP oms_x a \\"help\\"' in text
    assert 'oms_x{kind="say \\"hi\\"\\\\now"} 3' in text
