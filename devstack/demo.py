"""Deterministic demo data: five stores in three countries (two in Paris, so orders can move), a warehouse
that ships home deliveries, and an outdoor-gear catalogue with stock.

Loading is idempotent and never overwrites: restarting the system keeps orders and stock as they are.
"""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import stock
from adapters.db.tables import pickup_slot_rules, products, shelf_locations, stores
from domain.slots import SlotRule
from domain.stock import Movement, MovementKind


def _week(opens: str, closes: str, *, sunday: tuple[str, str] | None = None) -> list[dict[str, object]]:
    hours: list[dict[str, object]] = [{"weekday": day, "opens": opens, "closes": closes} for day in range(6)]
    if sunday:
        hours.append({"weekday": 6, "opens": sunday[0], "closes": sunday[1]})
    return hours


STORES = [
    {
        "id": "paris-rivoli",
        "name": "Paris Rivoli",
        "city": "Paris",
        "address": "120 rue de Rivoli, 75001",
        "latitude": 48.8606,
        "longitude": 2.3429,
        "timezone": "Europe/Paris",
        "opening_hours": _week("09:30", "20:00", sunday=("11:00", "19:00")),
    },
    {
        "id": "lyon-part-dieu",
        "name": "Lyon Part-Dieu",
        "city": "Lyon",
        "address": "17 rue du Dr Bouchut, 69003",
        "latitude": 45.7609,
        "longitude": 4.8566,
        "timezone": "Europe/Paris",
        "opening_hours": _week("10:00", "19:30"),
    },
    {
        "id": "london-oxford-st",
        "name": "London Oxford Street",
        "city": "London",
        "address": "300 Oxford Street, W1C 1DX",
        "latitude": 51.5152,
        "longitude": -0.1419,
        "timezone": "Europe/London",
        "opening_hours": _week("09:00", "21:00", sunday=("12:00", "18:00")),
    },
    {
        "id": "nyc-soho",
        "name": "New York SoHo",
        "city": "New York",
        "address": "530 Broadway, NY 10012",
        "latitude": 40.7233,
        "longitude": -73.9985,
        "timezone": "America/New_York",
        "opening_hours": _week("10:00", "20:00", sunday=("11:00", "19:00")),
    },
    {
        "id": "paris-la-defense",
        "name": "Paris La Défense",
        "city": "Puteaux",
        "address": "Centre commercial Westfield Les 4 Temps, 92092",
        "latitude": 48.8918,
        "longitude": 2.2380,
        "timezone": "Europe/Paris",
        "opening_hours": _week("10:00", "20:30", sunday=("11:00", "19:00")),
        "orders_per_hour": 12,
        "orders_per_day": 80,
    },
    {
        "id": "wh-ile-de-france",
        "name": "Entrepôt Île-de-France",
        "city": "Rungis",
        "address": "12 rue de la Logistique, 94150",
        "latitude": 48.7467,
        "longitude": 2.3508,
        "timezone": "Europe/Paris",
        "opening_hours": _week("06:00", "22:00"),
        "kind": "warehouse",
        "ships": True,
        "country": "FR",
    },
]

PRODUCTS = [
    ("TENT-2P", "Two-person dome tent", "149.00"),
    ("SLEEPBAG-5C", "Sleeping bag, comfort 5 °C", "79.90"),
    ("STOVE-GAS", "Compact gas stove", "39.50"),
    ("HEADLAMP-300", "Headlamp 300 lm", "24.99"),
    ("BOOTS-42", "Hiking boots, size 42", "119.00"),
    ("JACKET-M", "Rain jacket, size M", "89.00"),
    ("BOTTLE-1L", "Insulated bottle 1 l", "19.90"),
    ("BACKPACK-40", "Backpack 40 l", "99.00"),
]

# EAN-13 in a French GS1 prefix (376), check digits valid (tests/unit/test_store_work.py checks them).
BARCODES = {
    "TENT-2P": "3760123451017",
    "SLEEPBAG-5C": "3760123451086",
    "STOVE-GAS": "3760123451154",
    "HEADLAMP-300": "3760123451222",
    "BOOTS-42": "3760123451291",
    "JACKET-M": "3760123451369",
    "BOTTLE-1L": "3760123451437",
    "BACKPACK-40": "3760123451505",
}

# Where each store keeps a SKU (aisle-bay-shelf): every store lays out its floor its own way.
_LAYOUT = {
    "TENT-2P": "C01-B1",
    "SLEEPBAG-5C": "C02-A3",
    "STOVE-GAS": "B04-C2",
    "HEADLAMP-300": "A01-A2",
    "BOOTS-42": "D03-B1",
    "JACKET-M": "D01-C4",
    "BOTTLE-1L": "A02-B3",
    "BACKPACK-40": "B01-A1",
}
SHELF_LOCATIONS = {
    store_id: {
        sku: (f"{aisle[0]}{(int(aisle[1:3]) + shift) % 9 + 1:02d}{aisle[3:]}")
        for sku, aisle in _LAYOUT.items()
    }
    for shift, store_id in enumerate(
        ["paris-rivoli", "lyon-part-dieu", "london-oxford-st", "nyc-soho", "paris-la-defense"]
    )
}

# On hand per store, in PRODUCTS order: each store has its gaps, so routing has choices to make.
STOCK = {
    "paris-rivoli": [12, 20, 15, 40, 6, 10, 50, 8],
    "lyon-part-dieu": [4, 8, 0, 25, 3, 6, 30, 5],
    "london-oxford-st": [10, 15, 12, 35, 0, 14, 45, 9],
    "nyc-soho": [7, 9, 10, 30, 5, 0, 40, 6],
    "paris-la-defense": [6, 10, 8, 20, 4, 0, 25, 4],
    "wh-ile-de-france": [120, 150, 100, 300, 60, 80, 400, 90],
}


_STORE_DEFAULTS = {
    "kind": "store",
    "ships": False,
    "country": None,
    "orders_per_hour": None,
    "orders_per_day": None,
}

# Units never promised, so a shelf miscount does not disappoint a customer.
SAFETY_STOCK = {"HEADLAMP-300": 2, "BOTTLE-1L": 2}
OPENING_DAY = datetime(2026, 1, 1, tzinfo=UTC)


def _staffing(weekday: int, saturday: int, sunday: int) -> list[SlotRule]:
    """Half-hour pickup slots: so many orders handed over per slot on weekdays, Saturday and Sunday."""
    capacity = [weekday] * 5 + [saturday, sunday]
    return [SlotRule(weekday=day, minutes=30, capacity=capacity[day]) for day in range(7)]


# Pickup slots per store (the warehouse hands nothing over): slot length and capacity per weekday.
SLOT_RULES = {
    "paris-rivoli": _staffing(4, 6, 3),
    "lyon-part-dieu": _staffing(3, 5, 2),
    "london-oxford-st": _staffing(4, 6, 3),
    "nyc-soho": _staffing(4, 6, 3),
    "paris-la-defense": _staffing(3, 4, 2),
}


async def load(engine: AsyncEngine, currency: str = "EUR") -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(stores).on_conflict_do_nothing(),
            [{**_STORE_DEFAULTS, **store, "email": f"{store['id']}@stores.example.com"} for store in STORES],
        )
        await conn.execute(  # a store's staffing, once set, is the store's own
            insert(pickup_slot_rules).on_conflict_do_nothing(),
            [
                {"store_id": store_id, **rule.model_dump()}
                for store_id, rules in SLOT_RULES.items()
                for rule in rules
            ],
        )
        new_products = insert(products)
        await conn.execute(  # a catalogue loaded before barcodes existed gets them, nothing else changes
            new_products.on_conflict_do_update(
                index_elements=[products.c.sku],
                set_={"barcode": func.coalesce(products.c.barcode, new_products.excluded.barcode)},
            ),
            [
                {
                    "sku": sku,
                    "name": name,
                    "unit_price": Decimal(price),
                    "currency": currency,
                    "barcode": BARCODES[sku],
                }
                for sku, name, price in PRODUCTS
            ],
        )
        await conn.execute(
            insert(shelf_locations).on_conflict_do_nothing(),
            [
                {"store_id": store_id, "sku": sku, "location": location}
                for store_id, locations in SHELF_LOCATIONS.items()
                for sku, location in locations.items()
            ],
        )
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
