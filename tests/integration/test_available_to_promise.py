"""Property: the database's available to promise (migration 0008's function and view, read by availability
and routing, checked by oms_reserve) is the Python rule `domain.stock.available_to_promise`, for any
on hand, safety stock and mix of orders, live checkout holds and expired ones."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.db import availability, create_engine, routing, stock
from domain.stock import available_to_promise
from domain.values import OrderLine, StoreProfile
from tests.integration.test_ledger_property import LoopThread
from workflows.contracts import ReservationRequest

# A store of its own where no other store is (so a 1 km radius finds only it), created and rolled back
# with each example.
STORE = StoreProfile(
    id="atp-property-store",
    name="ATP property",
    city="Nowhere",
    address="0 Null Island",
    latitude=0.5,
    longitude=0.5,
    timezone="UTC",
    opening_hours=[],
)
SKU = "ATP-PROPERTY"

quantities = st.lists(st.integers(1, 12), max_size=4)


@dataclass(frozen=True)
class Row:
    on_hand: int
    safety_stock: int
    orders: list[int]
    live_holds: list[int]
    expired_holds: list[int]

    @property
    def reserved(self) -> int:
        return sum(self.orders) + sum(self.live_holds) + sum(self.expired_holds)

    @property
    def atp(self) -> int:
        return available_to_promise(self.on_hand, self.reserved, self.safety_stock, sum(self.expired_holds))


rows = st.builds(
    Row,
    on_hand=st.integers(0, 60),
    safety_stock=st.integers(0, 15),
    orders=quantities,
    live_holds=quantities,
    expired_holds=quantities,
)


@pytest.fixture(scope="module")
def side(database_url: str, engine: AsyncEngine) -> Iterator[tuple[LoopThread, AsyncEngine]]:
    loop = LoopThread()
    side_engine = loop.run(_engine(database_url))
    yield loop, side_engine
    loop.run(side_engine.dispose())
    loop.stop()


async def _engine(url: str) -> AsyncEngine:
    return create_engine(url, pool_size=1)


async def _lay_out(conn: AsyncConnection, row: Row) -> None:
    await conn.execute(
        text(
            "INSERT INTO stores (id, name, city, address, latitude, longitude, timezone, opening_hours) "
            "VALUES (:id, :name, :city, :address, :latitude, :longitude, :timezone, '[]')"
        ),
        STORE.model_dump(exclude={"opening_hours", "email", "kind", "routing", "country"}),
    )
    await conn.execute(
        text("INSERT INTO products (sku, name, unit_price, currency) VALUES (:sku, 'atp', 1, 'EUR')"),
        {"sku": SKU},
    )
    await conn.execute(
        text(
            "INSERT INTO stock_levels (store_id, sku, on_hand, reserved, safety_stock) "
            "VALUES (:store, :sku, :on_hand, :reserved, :safety_stock)"
        ),
        {
            "store": STORE.id,
            "sku": SKU,
            "on_hand": row.on_hand,
            "reserved": row.reserved,
            "safety_stock": row.safety_stock,
        },
    )
    holders = [
        *[(quantity, None) for quantity in row.orders],
        *[(quantity, "1 hour") for quantity in row.live_holds],
        *[(quantity, "-1 minute") for quantity in row.expired_holds],
    ]
    for number, (quantity, expires_in) in enumerate(holders):
        await conn.execute(
            text(
                "INSERT INTO reservations (order_id, sku, store_id, quantity, state, expires_at) "
                "VALUES (:holder, :sku, :store, :quantity, 'active', now() + CAST(:expires_in AS interval))"
            ),
            {
                "holder": f"atp-holder-{number}",
                "sku": SKU,
                "store": STORE.id,
                "quantity": quantity,
                "expires_in": expires_in,
            },
        )


async def _check(engine: AsyncEngine, row: Row, wanted: int) -> None:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            await _lay_out(conn, row)
            view = await conn.scalar(
                text("SELECT available FROM stock_available WHERE store_id = :store AND sku = :sku"),
                {"store": STORE.id, "sku": SKU},
            )
            assert view == row.atp
            near = await availability.near(
                conn,
                [OrderLine(sku=SKU, quantity=1, unit_price=0)],
                origin=(STORE.latitude, STORE.longitude),
                radius_km=1,
                promise=timedelta(hours=2),
                limit=5,
            )
            assert [(offer.store.id, offer.available) for offer in near] == [(STORE.id, {SKU: row.atp})]
            [candidate] = await routing.candidates(conn, [SKU], near=STORE, radius_km=1)
            assert candidate.available == {SKU: row.atp}
            request = ReservationRequest(
                order_id="atp-order",
                store_id=STORE.id,
                lines=[OrderLine(sku=SKU, quantity=wanted, unit_price=0)],
            )
            outcome = await stock.reserve(conn, request)
            assert outcome.reserved == (wanted <= row.atp)
            if not outcome.reserved:
                assert [(m.sku, m.available) for m in outcome.missing] == [(SKU, row.atp)]
        finally:
            await transaction.rollback()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=rows, wanted=st.integers(1, 40))
def test_the_database_promises_what_the_python_rule_promises(
    side: tuple[LoopThread, AsyncEngine], row: Row, wanted: int
) -> None:
    loop, side_engine = side
    loop.run(_check(side_engine, row, wanted))
