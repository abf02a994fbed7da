"""Property: whatever mix of movements happens to a row, its levels equal the sum of its ledger, on hand
and reserved never go below zero, and reserved equals what active reservations hold."""

import asyncio
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import create_engine, inventory, stock
from domain.stock import InventoryEvent
from domain.values import OrderLine
from workflows.contracts import ReservationRequest

STORE = "london-oxford-st"
HOLDERS = [f"order-prop-{n}" for n in range(4)]

operation = st.one_of(
    st.tuples(st.just("reserve"), st.sampled_from(range(4)), st.integers(1, 6)),
    st.tuples(st.just("release"), st.sampled_from(range(4)), st.just(0)),
    st.tuples(st.just("commit"), st.sampled_from(range(4)), st.just(0)),
    st.tuples(st.sampled_from(["sale", "return", "receipt"]), st.integers(0, 90), st.integers(1, 8)),
    st.tuples(st.just("adjustment"), st.integers(0, 90), st.integers(-5, 5).filter(bool)),
    st.tuples(st.just("count"), st.integers(0, 90), st.integers(0, 20)),
)


class LoopThread:
    """An event loop of its own in a thread, so hypothesis' synchronous examples can drive async code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


@pytest.fixture(scope="module")
def side_loop(database_url: str, engine: AsyncEngine) -> Iterator[tuple[LoopThread, AsyncEngine]]:
    side = LoopThread()
    side_engine = side.run(_make_engine(database_url))
    yield side, side_engine
    side.run(side_engine.dispose())
    side.stop()


async def _make_engine(url: str) -> AsyncEngine:
    return create_engine(url, pool_size=2)


async def _play(engine: AsyncEngine, operations: list[tuple[str, int, int]]) -> None:
    sku = f"P-{uuid.uuid4().hex[:10]}"
    holders = [f"{holder}-{sku}" for holder in HOLDERS]
    start = datetime.now(UTC) - timedelta(minutes=100)
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO products (sku, name, unit_price, currency) VALUES (:sku, 'prop', 1, 'EUR')"),
            {"sku": sku},
        )
    for step, (kind, a, b) in enumerate(operations):
        async with engine.begin() as conn:
            if kind == "reserve":
                lines = [OrderLine(sku=sku, quantity=b, unit_price=0)]
                await stock.reserve(
                    conn, ReservationRequest(order_id=holders[a], store_id=STORE, lines=lines)
                )
            elif kind == "release":
                await stock.release(conn, holders[a])
            elif kind == "commit":
                await stock.commit(conn, holders[a])
            else:
                event = InventoryEvent(
                    event_id=f"{sku}-{step}",
                    store_id=STORE,
                    sku=sku,
                    type=kind,
                    quantity=b,
                    occurred_at=start + timedelta(minutes=a),
                )
                await inventory.apply_event(conn, event, counts_until=start + timedelta(days=365))
    async with engine.connect() as conn:
        drift = [row for row in await stock.check_ledger(conn) if row.sku == sku]
        level = await stock.level(conn, STORE, sku)
        held = await conn.scalar(
            text("SELECT coalesce(sum(quantity), 0) FROM reservations WHERE sku = :sku AND state = 'active'"),
            {"sku": sku},
        )
    assert drift == []
    if level is not None:
        assert level.on_hand >= 0 and level.reserved >= 0
        assert level.reserved == held


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=25))
def test_levels_always_equal_the_sum_of_the_ledger(
    side_loop: tuple[LoopThread, AsyncEngine], operations: list[tuple[str, int, int]]
) -> None:
    side, side_engine = side_loop
    side.run(_play(side_engine, operations))


def test_the_check_command_reports_agreement_and_drift(
    database_url: str, side_loop: tuple[LoopThread, AsyncEngine]
) -> None:
    side, side_engine = side_loop
    command = [sys.executable, "-m", "oms", "stock", "check"]
    env = {**os.environ, "DATABASE_URL": database_url}
    agree = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert agree.returncode == 0, agree.stdout + agree.stderr
    assert "agree" in agree.stdout

    async def shift_on_hand(by: int) -> None:
        async with side_engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE stock_levels SET on_hand = on_hand + :by "
                    "WHERE store_id = 'nyc-soho' AND sku = 'TENT-2P'"
                ),
                {"by": by},
            )

    side.run(shift_on_hand(1))
    try:
        drift = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    finally:
        side.run(shift_on_hand(-1))
    assert drift.returncode == 1
    assert "nyc-soho/TENT-2P" in drift.stdout
