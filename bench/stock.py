"""Stock benchmarks, each against a baseline measured in the same run on the same database.

    python -m bench.stock                 # both
    python -m bench.stock reservations    # hot-SKU reservations vs a bare conditional UPDATE
    python -m bench.stock availability    # 5-line basket near a point, 300 stores x 5,000 SKUs,
                                          # vs the same question as one raw SQL query
    python -m bench.stock routing         # a re-route decision (candidates with stock and load over
                                          # 100,000 orders, then the scoring) vs availability's query

Targets: reservation throughput at least half the bare UPDATE's; availability p99 under 25 ms; a routing
decision p99 under 25 ms and within 2x of the availability query."""

import argparse
import asyncio
import random
import time
import uuid
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import availability, create_engine, stock
from bench.common import percentile, scratch_database
from domain.values import OrderLine
from workflows.contracts import ReservationRequest

HOT_STORE, HOT_SKU = "bench-hot-store", "BENCH-HOT"
BARE_UPDATE = text(
    "UPDATE stock_levels SET reserved = reserved + 1 "
    "WHERE store_id = :store AND sku = :sku AND on_hand - reserved - safety_stock >= 1"
)


async def _seed_hot_row(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO stores (id, name, city, address, latitude, longitude, timezone, opening_hours) "
                "VALUES (:id, 'Hot store', 'Paris', 'x', 48.86, 2.35, 'Europe/Paris', '[]')"
            ),
            {"id": HOT_STORE},
        )
        await conn.execute(
            text("INSERT INTO products (sku, name, unit_price, currency) VALUES (:sku, 'hot', 1, 'EUR')"),
            {"sku": HOT_SKU},
        )
        await conn.execute(
            text(
                "INSERT INTO stock_levels (store_id, sku, on_hand, reserved) VALUES (:store, :sku, 1000000000, 0)"
            ),
            {"store": HOT_STORE, "sku": HOT_SKU},
        )


async def _throughput(clients: int, seconds: float, once) -> float:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + seconds
    done = [0] * clients

    async def client(index: int) -> None:
        while time.perf_counter() < deadline:
            await once()
            done[index] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return sum(done) / (time.perf_counter() - started)


async def reservations(url: str, seconds: float) -> list[float]:
    setup = create_engine(url, pool_size=1)
    await _seed_hot_row(setup)
    await setup.dispose()
    print("hot-SKU reservations (one order line each) vs a bare conditional UPDATE of the same row")
    print(f"{'clients':>8} {'OMS reserve/s':>14} {'bare UPDATE/s':>14} {'ratio':>7}")
    ratios = []
    for clients in (1, 8, 32, 64):
        engine = create_engine(url, pool_size=clients)

        async def reserve(engine: AsyncEngine = engine) -> None:
            request = ReservationRequest(
                order_id=f"order-bench-{uuid.uuid4().hex}",
                store_id=HOT_STORE,
                lines=[OrderLine(sku=HOT_SKU, quantity=1, unit_price=0)],
            )
            async with engine.begin() as conn:
                assert (await stock.reserve(conn, request)).reserved

        async def bare(engine: AsyncEngine = engine) -> None:
            async with engine.begin() as conn:
                await conn.execute(BARE_UPDATE, {"store": HOT_STORE, "sku": HOT_SKU})

        await _throughput(clients, 0.5, bare)  # warm the pool
        base = await _throughput(clients, seconds, bare)
        ours = await _throughput(clients, seconds, reserve)
        ratios.append(ours / base)
        print(f"{clients:>8} {ours:>14.0f} {base:>14.0f} {ours / base:>7.2f}")
        await engine.dispose()
    print(f"worst ratio {min(ratios):.2f} (target >= 0.50)")
    return ratios


STORES, SKUS, LINES = 300, 5000, 5
ORIGIN = (48.8566, 2.3522)  # Paris
RADIUS_KM = 150.0

RAW_QUERY = text(
    """
WITH basket(sku, quantity) AS (SELECT * FROM unnest(CAST(:skus AS text[]), CAST(:quantities AS int[]))),
near AS MATERIALIZED (
    SELECT id, 2 * 6371.0088 * asin(sqrt(
             power(sin(radians(latitude - :lat) / 2), 2)
           + cos(radians(:lat)) * cos(radians(latitude)) * power(sin(radians(longitude - :lon) / 2), 2))) AS km
      FROM stores
     WHERE latitude BETWEEN :min_lat AND :max_lat AND longitude BETWEEN :min_lon AND :max_lon
)
SELECT n.id, n.km,
       count(*) FILTER (WHERE GREATEST(l.on_hand - l.reserved - l.safety_stock, 0) >= b.quantity)
         = :line_count AS whole_basket
  FROM near n
  CROSS JOIN basket b
  LEFT JOIN stock_levels l ON l.store_id = n.id AND l.sku = b.sku
 WHERE n.km <= :radius
 GROUP BY n.id, n.km
 ORDER BY whole_basket DESC, n.km
 LIMIT 10
"""
)


async def _seed_catalogue(engine: AsyncEngine) -> None:
    rng = random.Random(42)
    async with engine.begin() as conn:
        stores = [
            {
                "id": f"store-{n:03d}",
                "name": f"Store {n}",
                "lat": 43.0 + rng.random() * 8.0,
                "lon": -1.5 + rng.random() * 9.0,
            }
            for n in range(STORES)
        ]
        await conn.execute(
            text(
                "INSERT INTO stores (id, name, city, address, latitude, longitude, timezone, opening_hours) "
                "VALUES (:id, :name, 'x', 'x', :lat, :lon, 'Europe/Paris', "
                '\'[{"weekday": 0, "opens": "09:00", "closes": "19:00"}]\')'
            ),
            stores,
        )
        await conn.execute(
            text(
                "INSERT INTO products (sku, name, unit_price, currency) "
                "SELECT 'SKU-' || lpad(n::text, 5, '0'), 'product', 10, 'EUR' FROM generate_series(0, :last) n"
            ),
            {"last": SKUS - 1},
        )
        # Deterministic pseudo-random stock, about one row in five empty.
        await conn.execute(
            text(
                "INSERT INTO stock_levels (store_id, sku, on_hand, reserved, safety_stock) "
                "SELECT s.id, p.sku, GREATEST((hashtext(s.id || p.sku) % 13), 0), 0, 0 "
                "FROM stores s CROSS JOIN products p WHERE s.id LIKE 'store-%'"
            )
        )
        await conn.execute(text("ANALYZE"))


async def availability_latency(url: str, queries: int) -> tuple[float, float]:
    from domain.geo import bounding_box

    engine = create_engine(url, pool_size=2)
    started = time.perf_counter()
    await _seed_catalogue(engine)
    print(f"seeded {STORES} stores x {SKUS} SKUs in {time.perf_counter() - started:.1f}s")
    rng = random.Random(7)
    baskets = [
        [
            OrderLine(sku=f"SKU-{n:05d}", quantity=rng.randint(1, 3), unit_price=0)
            for n in rng.sample(range(SKUS), LINES)
        ]
        for _ in range(queries)
    ]
    min_lat, max_lat, min_lon, max_lon = bounding_box(*ORIGIN, RADIUS_KM)
    ours, raw = [], []
    async with engine.connect() as conn:
        for basket in baskets[:20]:  # warm caches and plans
            await availability.near(
                conn, basket, origin=ORIGIN, radius_km=RADIUS_KM, promise=timedelta(hours=2), limit=10
            )
        for basket in baskets:
            started = time.perf_counter()
            await conn.execute(
                RAW_QUERY,
                {
                    "skus": [line.sku for line in basket],
                    "quantities": [line.quantity for line in basket],
                    "lat": ORIGIN[0],
                    "lon": ORIGIN[1],
                    "min_lat": min_lat,
                    "max_lat": max_lat,
                    "min_lon": min_lon,
                    "max_lon": max_lon,
                    "radius": RADIUS_KM,
                    "line_count": LINES,
                },
            )
            raw.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await availability.near(
                conn, basket, origin=ORIGIN, radius_km=RADIUS_KM, promise=timedelta(hours=2), limit=10
            )
            ours.append((time.perf_counter() - started) * 1000)
    await engine.dispose()
    p50, p99 = percentile(ours, 0.50), percentile(ours, 0.99)
    raw50, raw99 = percentile(raw, 0.50), percentile(raw, 0.99)
    print(f"availability, {LINES}-line basket within {RADIUS_KM:.0f} km, {queries} queries")
    print(f"{'':>22} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'OMS availability':>22} {p50:>8.2f} {p99:>8.2f}")
    print(f"{'one raw SQL query':>22} {raw50:>8.2f} {raw99:>8.2f}")
    print(f"ratio OMS / raw: p50 {p50 / raw50:.2f}, p99 {p99 / raw99:.2f}; p99 target < 25 ms")
    return p50, p99


ORDERS = 100_000


async def _seed_orders(engine: AsyncEngine) -> None:
    """The read model routing counts load from: a year of orders, a few hundred in preparation."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO orders (id, channel, channel_order_id, store_id, status, view, version,"
                " created_at, updated_at) "
                "SELECT 'order-bench-' || n, 'bench', n::text, 'store-' || lpad((n % :stores)::text, 3, '0'),"
                " CASE WHEN n % 200 = 0 THEN 'reserved' WHEN n % 201 = 0 THEN 'accepted'"
                " ELSE 'collected' END, '{}', 1, now() - (n % 365) * interval '1 day', now() "
                "FROM generate_series(1, :orders) n"
            ),
            {"stores": STORES, "orders": ORDERS},
        )
        await conn.execute(text("ANALYZE"))


async def routing_latency(url: str, queries: int, *, seeded: bool) -> tuple[float, float]:
    from datetime import UTC, datetime

    from adapters.db import orders, routing
    from domain.policy import RoutingPolicy
    from domain.routing import choose_store

    engine = create_engine(url, pool_size=2)
    if not seeded:
        await _seed_catalogue(engine)
    await _seed_orders(engine)
    rng = random.Random(11)
    baskets = [
        [
            OrderLine(sku=f"SKU-{n:05d}", quantity=rng.randint(1, 3), unit_price=0)
            for n in rng.sample(range(SKUS), LINES)
        ]
        for _ in range(queries)
    ]
    policy, promise = RoutingPolicy(), timedelta(hours=2)
    decisions, scoring, baseline, candidates_seen = [], [], [], []
    async with engine.connect() as conn:
        origins = [store for store in await orders.list_stores(conn) if store.id.startswith("store-")]
        for basket in baskets[:20]:  # warm caches and plans
            await routing.candidates(
                conn, [line.sku for line in basket], near=origins[0], radius_km=RADIUS_KM
            )
        for index, basket in enumerate(baskets):
            origin = origins[index % len(origins)]
            started = time.perf_counter()
            await availability.near(
                conn,
                basket,
                origin=(origin.latitude, origin.longitude),
                radius_km=RADIUS_KM,
                promise=promise,
                limit=10,
            )
            baseline.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            found = await routing.candidates(
                conn, [line.sku for line in basket], near=origin, radius_km=RADIUS_KM
            )
            scored = time.perf_counter()
            choose_store(
                basket,
                origin,
                found,
                now=datetime.now(UTC),
                promise=promise,
                policy=policy,
                reason="bench",
                exclude=frozenset({origin.id}),
                radius_km=RADIUS_KM,
            )
            done = time.perf_counter()
            decisions.append((done - started) * 1000)
            scoring.append((done - scored) * 1000)
            candidates_seen.append(len(found))
    await engine.dispose()
    p50, p99 = percentile(decisions, 0.50), percentile(decisions, 0.99)
    base50, base99 = percentile(baseline, 0.50), percentile(baseline, 0.99)
    print(
        f"routing decision, {LINES}-line basket within {RADIUS_KM:.0f} km of a store "
        f"(median {percentile(candidates_seen, 0.5):.0f} candidates), {ORDERS} orders, {queries} decisions"
    )
    print(f"{'':>30} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'routing (query + scoring)':>30} {p50:>8.2f} {p99:>8.2f}")
    print(
        f"{'  of which scoring (pure)':>30} {percentile(scoring, 0.5):>8.2f} {percentile(scoring, 0.99):>8.2f}"
    )
    print(f"{'availability query (baseline)':>30} {base50:>8.2f} {base99:>8.2f}")
    print(
        f"ratio routing / availability: p50 {p50 / base50:.2f}, p99 {p99 / base99:.2f}; targets p99 < 25 ms, ratio <= 2"
    )
    return p50, p99


async def main(which: str, seconds: float, queries: int) -> None:
    with scratch_database() as url:
        if which in ("all", "reservations"):
            await reservations(url, seconds)
        if which in ("all", "availability"):
            await availability_latency(url, queries)
        if which in ("all", "routing"):
            await routing_latency(url, queries, seeded=which == "all")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "which", nargs="?", default="all", choices=["all", "reservations", "availability", "routing"]
    )
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement of the reservation bench")
    parser.add_argument("--queries", type=int, default=500)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.which, arguments.seconds, arguments.queries))
