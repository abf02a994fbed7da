"""Deterministic demo data: five stores in three countries (two in Paris, so orders can move), a warehouse
that ships home deliveries, and an outdoor-gear catalogue with stock.

The stores, catalogue and shelf locations are files in devstack/catalogue/, loaded by the importer like
any retailer's (`oms import`). Loading is idempotent and never overwrites: restarting the system keeps
orders, stock and what ops changed as they are.
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import stock
from domain.master_data import StoreRecord
from domain.stock import Movement, MovementKind
from services.importer import Kind, Source, import_sources

DEMO_KINDS = (Kind.STORES, Kind.PRODUCTS, Kind.LOCATIONS)
CATALOGUE = Path(__file__).parent / "catalogue"
"""The demo's master data, as files `oms import` reads: stores.json, products.json, locations.json."""


def _records(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((CATALOGUE / f"{name}.json").read_text(encoding="utf-8"))
    return rows


# The demo stores as StoreProfile fields, and the catalogue as (sku, name, price): tests and benches use them.
STORES = [
    StoreRecord.model_validate(row).model_dump(
        mode="json", exclude={"slots", "special_days"}, exclude_none=True
    )
    for row in _records("stores")
]
PRODUCTS = [(row["sku"], row["name"], row["unit_price"]) for row in _records("products")]

# On hand per store, in PRODUCTS order: each store has its gaps, so routing has choices to make.
STOCK = {
    "paris-rivoli": [12, 20, 15, 40, 6, 10, 50, 8],
    "lyon-part-dieu": [4, 8, 0, 25, 3, 6, 30, 5],
    "london-oxford-st": [10, 15, 12, 35, 0, 14, 45, 9],
    "nyc-soho": [7, 9, 10, 30, 5, 0, 40, 6],
    "paris-la-defense": [6, 10, 8, 20, 4, 0, 25, 4],
    "wh-ile-de-france": [120, 150, 100, 300, 60, 80, 400, 90],
}


# Units never promised, so a shelf miscount does not disappoint a customer.
SAFETY_STOCK = {"HEADLAMP-300": 2, "BOTTLE-1L": 2}
OPENING_DAY = datetime(2026, 1, 1, tzinfo=UTC)


async def load(engine: AsyncEngine) -> None:
    """The demo's stores, catalogue and shelf locations through the importer (only what is missing: a
    store ops changed stays as they left it), then its opening stock."""
    sources = [
        Source(f"{kind}.json", kind, (CATALOGUE / f"{kind}.json").read_text(encoding="utf-8"))
        for kind in DEMO_KINDS
    ]
    report = await import_sources(engine, sources, only_new=True)
    if not report.applied:
        raise ValueError("the demo data does not import: " + "; ".join(map(str, report.errors)))
    async with engine.begin() as conn:
        # Opening stock goes through the ledger like every other movement; its keys make it load once.
        opening = [
            Movement(
                store_id=store_id,
                sku=sku,
                kind=MovementKind.RECEIPT,
                on_hand_delta=on_hand,
                reason="opening stock (demo data)",
                source="demo",
                key=f"demo:{store_id}:{sku}",
                occurred_at=OPENING_DAY,
            )
            for store_id, counts in STOCK.items()
            for (sku, _, _), on_hand in zip(PRODUCTS, counts, strict=True)
        ]
        if await stock.record(conn, opening):
            for store_id in STOCK:
                for sku, units in SAFETY_STOCK.items():
                    await stock.set_safety_stock(conn, store_id, sku, units)
