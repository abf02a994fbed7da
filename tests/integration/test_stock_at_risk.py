"""Stock at risk from every path that moves the shelf: a short pick's write-off tells the other orders it
leaves uncovered, exactly as a POS sale does."""

import dataclasses
import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from activities.stock import StockActivities
from adapters.db import stock
from adapters.db.tables import reservations
from domain import ids
from domain.values import ShortLine, ShortReason, StockAtRisk
from services.stock_review import review_stock
from tests.conftest import placement
from tests.integration.conftest import eventually
from tests.integration.flow import place, step
from tests.integration.test_stock import new_sku, request
from workflows.contracts import StockWriteOff

STORE = "nyc-soho"


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

    async def flagged_for_ops() -> bool:
        # The step's local activity writes the read model before its workflow task, which carries the
        # search attribute's upsert, completes: the Temporal UI follows a moment later.
        description = await client.get_workflow_handle(second.order_id).describe()
        return description.typed_search_attributes.get(ids.SA_STOCK_AT_RISK) is True

    assert await eventually(flagged_for_ops, timeout=15)

    # Handled as a feed-signalled order: no other store has the unit, so the customer is asked.
    async def asked() -> dict | None:
        order = (await api.get(f"/v1/orders/{second.order_id}")).json()
        return order if order["status"] == "awaiting_customer" else None

    order = await eventually(asked, timeout=15)
    assert order["timeline"][-1]["reason"].startswith(f"stock at risk: {sku} short by 1 at paris-rivoli")
    queue = (await api.get("/v1/stores/paris-rivoli/orders", params={"at_risk": "true"})).json()
    assert second.order_id in [entry["order_id"] for entry in queue]


class Told:
    """Orders told of stock at risk, in place of their workflows; `down` fails like Temporal would."""

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.told: list[tuple[str, str, int]] = []

    async def stock_at_risk(self, order_id: str, risk: StockAtRisk) -> None:
        if self.down:
            raise RuntimeError("Temporal unavailable")
        self.told.append((order_id, risk.sku, risk.short_by))


async def _two_orders_one_unit_written_off(engine: AsyncEngine) -> tuple[str, str, str]:
    """Two orders of one unit each on a shelf of two; the older one's unit is written off."""
    sku = await new_sku(engine, on_hand=2, store_id=STORE)
    older, newer = (f"order-test-{uuid.uuid4().hex[:10]}" for _ in range(2))
    for holder in (older, newer):  # one transaction each: the newer is reserved later
        async with engine.begin() as conn:
            assert (await stock.reserve(conn, request(holder, sku, 1, STORE))).reserved
    async with engine.begin() as conn:
        assert await stock.write_off(conn, STORE, older, {sku: (1, "not_found")}) == 1
    return sku, older, newer


async def _flagged(engine: AsyncEngine, holder: str) -> bool:
    async with engine.connect() as conn:
        return bool(
            await conn.scalar(select(reservations.c.at_risk).where(reservations.c.order_id == holder))
        )


async def test_a_signal_that_fails_leaves_the_order_unflagged_so_the_next_review_tells_it(
    engine: AsyncEngine,
) -> None:
    sku, older, newer = await _two_orders_one_unit_written_off(engine)
    with pytest.raises(RuntimeError):
        await review_stock(engine, Told(down=True), [(STORE, sku)], aware=older)
    assert not await _flagged(engine, newer)

    told = Told()
    review = await review_stock(engine, told, [(STORE, sku)], aware=older)
    assert told.told == [(newer, sku, 1)]  # not the order whose short pick wrote the unit off
    assert [entry.order_id for entry in review.at_risk] == [newer] and await _flagged(engine, newer)

    again = Told()
    assert (await review_stock(engine, again, [(STORE, sku)])).at_risk == [] and again.told == []


async def test_a_retried_write_off_reviews_the_shelf_again(engine: AsyncEngine, client: Client) -> None:
    sku, older, newer = await _two_orders_one_unit_written_off(engine)  # the first attempt: written, untold
    env = ActivityEnvironment(client=client)
    env.info = dataclasses.replace(env.info, attempt=2)
    write_off = StockWriteOff(
        store_id=STORE, holder_id=older, lines=[ShortLine(sku=sku, missing=1, reason=ShortReason.NOT_FOUND)]
    )
    assert await env.run(StockActivities(engine).write_off, write_off) == 0  # nothing written twice
    assert await _flagged(engine, newer)  # and the workflow told (it does not exist here: skipped)
    assert not await _flagged(engine, older)
