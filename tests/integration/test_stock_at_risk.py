"""Stock at risk from every path that moves the shelf: a short pick's write-off tells the other orders it
leaves uncovered, exactly as a POS sale does."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db.tables import reservations
from domain import ids
from tests.conftest import placement
from tests.integration.conftest import eventually
from tests.integration.flow import place, step
from tests.integration.test_stock import new_sku


async def test_a_short_pick_write_off_that_uncovers_another_order_signals_that_order_at_risk(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    sku = await new_sku(engine, on_hand=2, store_id="paris-rivoli")  # no other store holds it
    first = placement(lines=[(sku, 1)])
    second = placement(lines=[(sku, 1)])
    assert (await place(api, first)).status_code == 201
    assert (await place(api, second)).status_code == 201
    assert (await step(api, first, "accept")).status_code == 200

    # The first order's unit is not on the shelf: written off, so the shelf (1) no longer covers both.
    short = await step(
        api, first, "short-pick", {"lines": [{"sku": sku, "missing": 1, "reason": "not_found"}]}
    )
    assert short.status_code == 200, short.text
    async with engine.connect() as conn:
        flagged = await conn.scalar(
            select(reservations.c.at_risk).where(
                reservations.c.order_id == second.order_id, reservations.c.sku == sku
            )
        )
    assert flagged is True

    async def signalled() -> dict | None:
        order = (await api.get(f"/v1/orders/{second.order_id}")).json()
        return order if order["stock_at_risk"] else None

    order = await eventually(signalled, timeout=15)
    assert [(r["sku"], r["store_id"], r["short_by"]) for r in order["stock_at_risk"]] == [
        (sku, "paris-rivoli", 1)
    ]
    description = await client.get_workflow_handle(second.order_id).describe()
    assert description.typed_search_attributes.get(ids.SA_STOCK_AT_RISK) is True

    # Handled as a feed-signalled order: no other store has the unit, so the customer is asked.
    async def asked() -> dict | None:
        order = (await api.get(f"/v1/orders/{second.order_id}")).json()
        return order if order["status"] == "awaiting_customer" else None

    order = await eventually(asked, timeout=15)
    assert order["timeline"][-1]["reason"].startswith(f"stock at risk: {sku} short by 1 at paris-rivoli")
    queue = (await api.get("/v1/stores/paris-rivoli/orders", params={"at_risk": "true"})).json()
    assert second.order_id in [entry["order_id"] for entry in queue]
