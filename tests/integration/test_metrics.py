"""`GET /metrics`: the API's requests by route and status, the business gauges, for ops only; and the
Temporal SDK's own metrics on their port."""

import httpx
from temporalio.client import Client

from adapters.temporal import sdk_runtime
from tests.conftest import free_port, placement
from tests.integration.flow import place


def _samples(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


async def test_metrics_count_requests_by_route_and_show_open_orders(api: httpx.AsyncClient) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    assert (await api.get("/v1/orders/order-webshop-nope")).status_code == 404
    answer = await api.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = _samples(answer.text)
    assert samples['oms_http_requests_total{method="POST",route="/v1/orders",status="201"}'] >= 1
    assert samples['oms_http_requests_total{method="GET",route="/v1/orders/{order_id}",status="404"}'] >= 1
    assert (
        samples['oms_http_request_duration_seconds_count{method="POST",route="/v1/orders",status="201"}'] >= 1
    )
    assert samples['oms_orders_open{status="reserved",store_id="paris-rivoli"}'] >= 1
    assert "oms_dead_letters_open" in samples


async def test_metrics_are_for_ops_and_refusals_are_counted(api: httpx.AsyncClient) -> None:
    assert (await api.get("/metrics", headers={"X-API-Key": "test-store-paris"})).status_code == 403
    assert (await api.get("/metrics", headers={"X-API-Key": ""})).status_code == 401
    bearer = {"X-API-Key": "", "Authorization": "Bearer test-ops"}  # as Prometheus scrapes
    samples = _samples((await api.get("/metrics", headers=bearer)).text)
    assert samples['oms_http_requests_total{method="GET",route="(unrouted)",status="401"}'] >= 1


async def test_the_sdk_exports_temporal_metrics_on_its_own_port(client: Client) -> None:
    address = f"127.0.0.1:{free_port()}"
    metered = await Client.connect(client.service_client.config.target_host, runtime=sdk_runtime(address))
    await metered.count_workflows()
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"http://{address}/metrics")).text
    assert "temporal_request" in text
