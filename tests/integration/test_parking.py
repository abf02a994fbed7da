"""On the real stack: an order whose payment the ledger refuses is parked at once (no retrying forever),
support is alerted and can cancel it; nothing stays held."""

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from tests.conftest import placement
from tests.integration.conftest import keep_history, payment_entries
from tests.integration.flow import place, stock

# The ledger refuses one order's entries the way PostgreSQL refuses an amount beyond NUMERIC(12, 2).
REFUSE = """
CREATE OR REPLACE FUNCTION test_refuse_payment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.order_id = TG_ARGV[0] THEN
        RAISE EXCEPTION 'numeric field overflow' USING ERRCODE = '22003';
    END IF;
    RETURN NEW;
END $$
"""


async def test_an_order_whose_payment_the_ledger_refuses_is_parked_and_support_cancels_it(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine
) -> None:
    order = placement(lines=[("SLEEPBAG-5C", 2)])
    trigger = f"test_refuse_{order.channel_order_id.replace('-', '_').lower()}"
    async with engine.begin() as conn:
        await conn.execute(text(REFUSE))
        await conn.execute(
            text(
                f"CREATE TRIGGER {trigger} BEFORE INSERT ON payment_entries FOR EACH ROW "
                f"EXECUTE FUNCTION test_refuse_payment('{order.order_id}')"
            )
        )
    try:
        before = await stock(api, order.store_id, "SLEEPBAG-5C")
        placed = await place(api, order)
        assert placed.status_code == 201, placed.text
        assert placed.json()["status"] == "parked"
        reason = placed.json()["timeline"][-1]["reason"]
        assert reason.startswith("reserve_order failed for good: PaymentUnrecordable: ")
        assert await stock(api, order.store_id, "SLEEPBAG-5C") == before  # rolled back with the payment
        alerts = (await api.get("/v1/support/alerts")).json()
        [alert] = [a for a in alerts if a["order_id"] == order.order_id]
        assert alert["kind"] == "order_parked" and "PaymentUnrecordable" in alert["detail"]
        assert (await api.get(f"/v1/orders/{order.order_id}")).json()["status"] == "parked"

        cancelled = await api.post(
            f"/v1/orders/{order.order_id}/cancel",
            json={"reason": "the payment cannot be recorded", "actor": "support:ana"},
        )
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"
        assert await stock(api, order.store_id, "SLEEPBAG-5C") == before
        assert await payment_entries(engine, order.order_id) == []
        await client.get_workflow_handle(order.order_id).result()
        await keep_history(client, order.order_id, "parked_then_cancelled")
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger} ON payment_entries"))
