"""The fault experiments: a part killed mid-load and started again after the fault; a burst with no
worker; longer faults while orders are in their store steps. Each runs its own orders (a product of its
own) and watches /readyz through the fault."""

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import stock
from bench.chaos.checks import Outcome, check
from bench.chaos.driver import ENDED, STORE, Driver
from bench.chaos.stack import Stack
from domain.stock import Movement, MovementKind

INTAKE_WAIT = 5.0  # seconds: OMS_INTAKE_WAIT's default
INTAKE_MARGIN = 2.0  # what an intake answer may take beyond its wait


@dataclass(frozen=True)
class Experiment:
    name: str
    role: str  # the part that fails
    shape: str  # "kill": mid-load | "burst": no worker while orders pour in | "steps": during store steps
    fault_factor: float = 1.0  # times the run's fault length


EXPERIMENTS = (
    Experiment("worker killed", "worker", "kill"),
    Experiment("API killed", "api", "kill"),
    Experiment("PostgreSQL killed", "postgres", "kill"),
    Experiment("Temporal killed", "temporal", "kill"),
    Experiment("burst, no worker", "worker", "burst"),
    Experiment("worker killed in store steps", "worker", "steps", 2.0),
    Experiment("PostgreSQL killed in store steps", "postgres", "steps", 2.0),
)


@dataclass
class Result:
    experiment: Experiment
    outcome: Outcome
    answers: Counter[str]
    unnamed: list[str]
    intake_p50: float
    intake_max: float
    slow_intakes: int  # beyond the intake wait plus its margin
    readiness: Counter[str] = field(default_factory=Counter)  # what /readyz said during the fault
    ready_again: float = 0.0  # seconds from the part's restart to /readyz 200


async def product_with_stock(engine: AsyncEngine, quantity: int) -> str:
    sku = f"CHAOS-{uuid.uuid4().hex[:8]}"
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO products (sku, name, unit_price, currency) VALUES (:sku, 'chaos', 10, 'EUR')"),
            {"sku": sku},
        )
        receipt = Movement(
            store_id=STORE,
            sku=sku,
            kind=MovementKind.RECEIPT,
            on_hand_delta=quantity,
            reason="chaos stock",
            source="chaos",
            key=f"chaos-receipt:{sku}",
            occurred_at=datetime.now(UTC),
        )
        await stock.record(conn, [receipt])
    return sku


async def run(
    stack: Stack, engine: AsyncEngine, experiment: Experiment, orders: int, fault: float, settle: float
) -> Result:
    sku = await product_with_stock(engine, orders + 5)
    fault_seconds = fault * experiment.fault_factor
    unbounded = httpx.Limits(max_connections=None, max_keepalive_connections=None)  # no client-side queue
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30, limits=unbounded) as api:
        driver = Driver(api, sku)
        started = time.monotonic()
        end = started + settle
        readiness: Counter[str] = Counter()
        if experiment.shape == "burst":
            stack.stop_role("worker")
            await asyncio.gather(*(driver.place(end) for _ in range(orders)))
            ready_again = await _restore(stack, "worker", readiness, fault_seconds)
            await asyncio.gather(*(driver.see_through(order, end) for order in driver.acknowledged))
        else:
            limit = asyncio.Semaphore(10)

            async def one(delay: float) -> None:
                await asyncio.sleep(delay)
                async with limit:
                    await driver.order(end)

            spacing = 0.05 if experiment.shape == "kill" else 0.0
            load = asyncio.gather(*(one(i * spacing) for i in range(orders)))
            await _when(lambda: _progress(driver, experiment.shape) >= orders // 4, end)
            stack.kill(experiment.role)
            ready_again = await _restore(stack, experiment.role, readiness, fault_seconds)
            await load
    outcome = await check(engine, driver.acknowledged, ENDED)
    seconds = sorted(driver.answers.intake_seconds) or [0.0]
    return Result(
        experiment=experiment,
        outcome=outcome,
        answers=driver.answers.kinds,
        unnamed=driver.answers.unnamed[:5],
        intake_p50=seconds[len(seconds) // 2],
        intake_max=seconds[-1],
        slow_intakes=sum(1 for s in seconds if s > INTAKE_WAIT + INTAKE_MARGIN),
        readiness=readiness,
        ready_again=ready_again,
    )


def _progress(driver: Driver, shape: str) -> int:
    """Orders placed (mid-load faults) or accepted by the store and beyond (faults in store steps)."""
    return len(driver.acknowledged) if shape == "kill" else len(driver.stepped)


async def _when(condition, deadline: float) -> None:  # type: ignore[no-untyped-def]
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.2)


async def _restore(stack: Stack, role: str, readiness: Counter[str], seconds: float) -> float:
    """Watch /readyz while the part is down, start it again, and time until ready."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        status, checks = await asyncio.to_thread(stack.readiness)
        failing = ", ".join(f"{name}: {why[:50]}" for name, why in sorted(checks.items()) if why != "ok")
        readiness["no answer" if status is None else f"{status} {failing}".strip()] += 1
        await asyncio.sleep(1)
    await asyncio.to_thread(stack.start_role, role)
    return await asyncio.to_thread(stack.wait_ready, 180)
