"""`oms import` against real PostgreSQL: good and bad files, idempotency, dry run, per-row, the demo."""

import random
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from adapters.db import create_engine
from adapters.db.console import shelf_products, sku_for_barcode
from adapters.db.tables import pickup_slot_rules, products, shelf_locations, stores
from devstack import demo
from domain.master_data import gtin_check_digit
from oms.cli import app
from services.importer import ImportReport, Kind, Source, import_sources
from services.master_data import Change


def gtin() -> str:
    body = "2" + "".join(random.choices("0123456789", k=11))  # GS1 prefix 2: for internal use
    return body + str(gtin_check_digit(body))


def tag() -> str:
    return uuid.uuid4().hex[:8]


def stores_csv(a: str, b: str) -> str:
    return (
        "id,name,city,address,latitude,longitude,timezone,opening_hours,email,orders_per_hour,"
        "slot_minutes,slot_capacity\n"
        f"{a},Store A,Paris,1 rue A,48.85,2.35,Europe/Paris,Mo-Sa 09:00-19:00,{a}@example.com,10,30,4\n"
        f'{b},Store B,Lyon,"2 rue B, Lyon",45.76,4.85,Europe/Paris,"Mo-Fr 10:00-19:00; Sa 10:00-18:00",,,,\n'
    )


def products_csv(skus: list[str], codes: list[str]) -> str:
    return "sku,name,unit_price,currency,barcodes,active\n" + "".join(
        f"{sku},Product {sku},12.50,EUR,{code} {gtin()},true\n" for sku, code in zip(skus, codes, strict=True)
    )


def sources(**files: str) -> list[Source]:
    """name -> text; the kind from the name as the CLI reads it."""
    from services.importer import kind_of

    return [Source(name, kind_of(Path(name)), text) for name, text in files.items()]


def counts(report: ImportReport) -> dict[str, tuple[int, int, int]]:
    return {
        r.file: (r.counts[Change.CREATED], r.counts[Change.UPDATED], r.counts[Change.UNCHANGED])
        for r in report.files
    }


def good_files(t: str) -> dict[str, str]:
    a, b, skus = f"imp-a-{t}", f"imp-b-{t}", [f"IMP-{t}-1", f"IMP-{t}-2"]
    return {
        "stores.csv": stores_csv(a, b),
        "products.csv": products_csv(skus, [gtin(), gtin()]),
        "locations.csv": f"store_id,sku,location\n{a},{skus[0]},A01-B2\n{b},{skus[1]},C03-A1\n",
        "special-days.csv": f"store_id,date,hours,note\n{a},2026-12-25,closed,Christmas\n"
        f"{a},2026-12-24,09:00-16:00,Christmas Eve\n",
    }


async def test_good_files_are_imported_and_a_second_import_changes_nothing(engine: AsyncEngine) -> None:
    t = tag()
    files = good_files(t)
    first = await import_sources(engine, sources(**files))
    assert first.applied and not first.errors
    assert counts(first) == {
        "stores.csv": (2, 0, 0),
        "products.csv": (2, 0, 0),
        "locations.csv": (2, 0, 0),
        "special-days.csv": (2, 0, 0),
    }
    again = await import_sources(engine, sources(**files))
    assert again.changes == 0 and not again.errors
    assert again.lines(dry_run=False)[-1] == "0 changes applied"
    async with engine.connect() as conn:
        store = (await conn.execute(select(stores).where(stores.c.id == f"imp-a-{t}"))).one()
        assert [day["date"] for day in store.special_days] == ["2026-12-24", "2026-12-25"]
        assert store.orders_per_hour == 10 and store.email == f"imp-a-{t}@example.com"
        rules = (
            await conn.execute(select(pickup_slot_rules).where(pickup_slot_rules.c.store_id == store.id))
        ).all()
        assert sorted((r.weekday, r.minutes, r.capacity) for r in rules) == [(d, 30, 4) for d in range(7)]
        second_code = files["products.csv"].splitlines()[1].split(",")[4].split()[1]
        assert await sku_for_barcode(conn, second_code) == f"IMP-{t}-1"  # any barcode of a product scans
        shelf = await shelf_products(conn, f"imp-a-{t}", [f"IMP-{t}-1"])
        assert (
            shelf[f"IMP-{t}-1"].other_barcodes == (second_code,) and shelf[f"IMP-{t}-1"].location == "A01-B2"
        )
    changed = files["products.csv"].replace("12.50", "13.00", 1)
    update = await import_sources(engine, sources(**{"products.csv": changed}))
    assert counts(update) == {"products.csv": (0, 1, 1)}


async def test_every_bad_row_is_named_and_nothing_is_applied(engine: AsyncEngine) -> None:
    t = tag()
    taken = gtin()
    await import_sources(engine, sources(**{"products.csv": products_csv([f"OWN-{t}"], [taken])}))
    a, sku = f"imp-a-{t}", f"IMP-{t}-1"
    files = {
        "stores.csv": stores_csv(a, f"imp-b-{t}")
        + f"bad-{t},X,Paris,addr,95,2.3,Europe/Atlantis,Mo 20:00-09:00,mail,0,1,0\n"
        + f"{a},Again,Paris,addr,48,2,Europe/Paris,Mo 09:00-10:00,,,,\n",
        "products.json": (
            "[\n"
            f'  {{"sku": "{sku}", "name": "Good", "unit_price": "1.00", "currency": "EUR",\n'
            f'    "barcodes": ["{gtin()}"]}},\n'
            f'  {{"sku": "IMP-{t}-2", "name": "", "unit_price": "1.001", "currency": "XYZ",'
            ' "barcodes": ["3760123451018"]},\n'
            f'  {{"sku": "IMP-{t}-3", "name": "Taken", "unit_price": "1", "currency": "EUR",'
            f' "barcodes": ["{taken}"]}},\n'
            f'  {{"sku": "IMP-{t}-4", "name": "Extra", "unit_price": "1", "currency": "EUR",'
            ' "colour": "red"}\n'
            "]\n"
        ),
        "locations.csv": f"store_id,sku,location\n{a},{sku},A01\nnowhere-{t},{sku},A02\n"
        f"{a},NOSUCH-{t},A03\n{a},{sku},A04\n",
        "special-days.csv": f"store_id,date,hours\n{a},2026-02-30,closed\n{a},2026-05-01,9h-12h\n",
    }
    report = await import_sources(engine, sources(**files))
    assert not report.applied
    assert report.lines(dry_run=False)[-1] == "10 bad rows: nothing applied (fix them, or use --per-row)"
    named = {(e.file, e.line, e.field) for e in report.errors}
    assert named == {
        ("stores.csv", 4, "latitude"),
        ("stores.csv", 4, "timezone"),
        ("stores.csv", 4, "opening_hours"),
        ("stores.csv", 4, "email"),
        ("stores.csv", 4, "orders_per_hour"),
        ("stores.csv", 4, "slot_minutes"),
        ("stores.csv", 4, "slot_capacity"),
        ("stores.csv", 5, "id"),  # duplicate key
        ("products.json", 4, "name"),
        ("products.json", 4, "unit_price"),
        ("products.json", 4, "currency"),
        ("products.json", 4, "barcodes.0"),
        ("products.json", 5, "barcodes.0"),  # belongs to another product
        ("products.json", 6, "colour"),
        ("locations.csv", 3, "store_id"),  # unknown store
        ("locations.csv", 4, "sku"),  # unknown SKU
        ("locations.csv", 5, "store_id+sku"),  # duplicate key
        ("special-days.csv", 2, "date"),
        ("special-days.csv", 3, "hours"),
    }
    by_place = {(e.file, e.line, e.field): e.message for e in report.errors}
    assert f"belongs to product 'OWN-{t}'" in by_place[("products.json", 5, "barcodes.0")]
    assert "already on stores.csv:2" in by_place[("stores.csv", 5, "id")]
    async with engine.connect() as conn:  # the good rows were not applied either
        assert await conn.scalar(select(stores.c.id).where(stores.c.id == a)) is None
        assert await conn.scalar(select(products.c.sku).where(products.c.sku == sku)) is None


async def test_a_dry_run_applies_nothing_and_says_what_would_change(engine: AsyncEngine) -> None:
    t = tag()
    report = await import_sources(engine, sources(**good_files(t)), dry_run=True)
    assert not report.applied and not report.errors and report.changes == 8
    assert report.lines(dry_run=True)[-1] == "dry run: 8 changes to apply, nothing applied"
    async with engine.connect() as conn:
        assert await conn.scalar(select(stores.c.id).where(stores.c.id == f"imp-a-{t}")) is None


async def test_per_row_applies_the_good_rows_and_names_the_bad(engine: AsyncEngine) -> None:
    t = tag()
    a, sku = f"imp-a-{t}", f"IMP-{t}-1"
    files = {
        "stores.csv": stores_csv(a, f"imp-b-{t}") + f"bad-{t},X,Paris,addr,95,2.3,Europe/Paris,,,,,\n",
        "locations.csv": f"store_id,sku,location\n{a},{sku},A01\n{a},NOSUCH-{t},A03\n",
        "products.csv": products_csv([sku], [gtin()]),
    }
    report = await import_sources(engine, sources(**files), per_row=True)
    assert report.applied and report.lines(dry_run=False)[-1] == "4 changes applied; 2 bad rows skipped"
    assert {(e.file, e.line, e.field) for e in report.errors} == {
        ("stores.csv", 4, "latitude"),
        ("stores.csv", 4, "opening_hours"),
        ("locations.csv", 3, "sku"),
    }
    assert counts(report) == {"stores.csv": (2, 0, 0), "products.csv": (1, 0, 0), "locations.csv": (1, 0, 0)}
    async with engine.connect() as conn:
        location = select(shelf_locations.c.location).where(shelf_locations.c.store_id == a)
        assert await conn.scalar(location) == "A01"


def test_oms_import_prints_the_report_and_exits_1_on_a_bad_row(tmp_path: Path, database_url: str) -> None:
    t = tag()
    (tmp_path / "stores.csv").write_text(stores_csv(f"cli-a-{t}", f"cli-b-{t}"))
    (tmp_path / "export.csv").write_text("store_id,sku,location\nnowhere,TENT-2P,A01\n")
    runner, env = CliRunner(), {"DATABASE_URL": database_url}
    dry = runner.invoke(app, ["import", str(tmp_path / "stores.csv"), "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "stores.csv (stores): 2 rows, 2 created, 0 updated, 0 unchanged, 0 bad" in dry.output
    assert "dry run: 2 changes to apply, nothing applied" in dry.output
    bad = runner.invoke(app, ["import", str(tmp_path / "export.csv"), "--kind", "locations"], env=env)
    assert bad.exit_code == 1
    assert "export.csv:2: store_id: unknown store 'nowhere'" in bad.output
    done = runner.invoke(app, ["import", str(tmp_path / "stores.csv")], env=env)
    assert done.exit_code == 0 and "2 changes applied" in done.output
    unknown = runner.invoke(app, ["import", str(tmp_path / "export.csv")], env=env)
    assert unknown.exit_code == 2 and "--kind" in unknown.output


@pytest.fixture
async def fresh_engine(postgres_server: str) -> AsyncEngine:
    """A database of its own, migrated and empty: what `oms up` starts from."""
    from adapters.db.migrate import upgrade
    from config.settings import to_sqlalchemy_url

    name = f"oms_demo_{tag()}"
    base, _, _ = postgres_server.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = to_sqlalchemy_url(f"{base}/{name}")
    upgrade(url)
    return create_engine(url, pool_size=1)


async def test_the_demo_catalogue_is_loaded_through_the_importer(fresh_engine: AsyncEngine) -> None:
    await demo.load(fresh_engine)
    await demo.load(fresh_engine)  # each start loads it again: nothing changes, nothing doubles
    files = [
        Source(f"{kind}.json", kind, (demo.CATALOGUE / f"{kind}.json").read_text())
        for kind in (Kind.STORES, Kind.PRODUCTS, Kind.LOCATIONS)
    ]
    report = await import_sources(fresh_engine, files, dry_run=True)  # the database says what the files say
    assert not report.errors and report.changes == 0
    assert [r.rows for r in report.files] == [6, 8, 40]
    async with fresh_engine.connect() as conn:
        assert await sku_for_barcode(conn, "3760123451017") == "TENT-2P"
        assert len((await conn.execute(select(pickup_slot_rules))).all()) == 35
    await fresh_engine.dispose()
