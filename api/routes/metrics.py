"""`GET /metrics` in the Prometheus text format (ops key, as a bearer token in the scrape config):
the API's requests, and the business gauges read from the database at each scrape. The Temporal SDK's
own metrics are on `OMS_SDK_METRICS_ADDRESS` (docs/operations.md)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from adapters.db.gauges import BusinessGauges, business_gauges
from adapters.prometheus import CONTENT_TYPE, gauge
from api.access import authorize
from api.deps import EngineDep

router = APIRouter(tags=["operations"], dependencies=[Depends(authorize)])


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request, engine: EngineDep) -> PlainTextResponse:
    async with engine.connect() as conn:
        gauges = await business_gauges(conn)
    text = request.app.state.request_metrics.render() + render_gauges(gauges)
    return PlainTextResponse(text, media_type=CONTENT_TYPE)


def render_gauges(gauges: BusinessGauges) -> str:
    families = [
        gauge(
            "oms_orders_open",
            "Orders not ended, by status and store",
            {
                (("status", status), ("store_id", store)): n
                for (status, store), n in gauges.open_orders.items()
            },
        ),
        gauge(
            "oms_orders_at_risk",
            "Open orders whose stock or preparation SLA is at risk, by store",
            {(("store_id", store),): n for store, n in gauges.at_risk.items()},
        ),
        gauge(
            "oms_outbox_backlog",
            "Customer and store messages not yet sent, by channel",
            {(("channel", channel),): n for channel, n in gauges.outbox_backlog.items()},
        ),
        gauge(
            "oms_dead_letters_open",
            "Orders refused at intake, and order events a channel never accepted, kept, not replayed",
            {(): gauges.dead_letters},
        ),
        gauge(
            "oms_event_backlog",
            "Order events not yet delivered to a channel's subscription (retrying or waiting behind one)",
            {(("subscription", subscription),): n for subscription, n in gauges.event_backlog.items()},
        ),
        gauge(
            "oms_support_alerts_open",
            "Support alerts not resolved, by kind",
            {(("kind", kind),): n for kind, n in gauges.support_alerts.items()},
        ),
    ]
    if gauges.feed_lag_seconds is not None:
        families.append(
            gauge(
                "oms_stock_feed_lag_seconds",
                "Longest delay from a stock event to its arrival, over the last hour's events",
                {(): gauges.feed_lag_seconds},
            )
        )
    return "".join(families)
