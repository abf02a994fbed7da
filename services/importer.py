"""`oms import`: stores, products, shelf locations and special days from CSV or JSON files, through the
same models and upserts as the admin API. Every row is checked (its fields, a key used twice, a store or
SKU that does not exist, a barcode of another product) and the report names file, line and field of
each bad one. All files are one transaction: nothing is applied when a row is bad, unless `per_row`
(then every good row is applied, each in a savepoint). A dry run applies nothing and reports what
would change."""

import csv
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.contract import Contract
from domain.master_data import LocationRecord, ProductRecord, SpecialDayRecord, StoreRecord
from services import master_data
from services.errors import InvalidField
from services.master_data import Change, Known, read_known


class Kind(StrEnum):
    """What a file holds; files are applied in this order (a location needs its store and product)."""

    STORES = "stores"
    PRODUCTS = "products"
    LOCATIONS = "locations"
    SPECIAL_DAYS = "special-days"


ORDER = list(Kind)
MODELS: dict[Kind, type[Contract]] = {
    Kind.STORES: StoreRecord,
    Kind.PRODUCTS: ProductRecord,
    Kind.LOCATIONS: LocationRecord,
    Kind.SPECIAL_DAYS: SpecialDayRecord,
}
KEYS = {
    Kind.STORES: ("id",),
    Kind.PRODUCTS: ("sku",),
    Kind.LOCATIONS: ("store_id", "sku"),
    Kind.SPECIAL_DAYS: ("store_id", "date"),
}
APPLY: dict[Kind, Callable[..., Awaitable[Change]]] = {  # each (conn, record, known, *, only_new)
    Kind.STORES: master_data.upsert_store,
    Kind.PRODUCTS: master_data.upsert_product,
    Kind.LOCATIONS: master_data.set_location,
    Kind.SPECIAL_DAYS: master_data.add_special_day,
}


class UnknownKind(ValueError):
    pass


def kind_of(path: Path, given: str | None = None) -> Kind:
    """The --kind given, else the file's name: stores.csv, 2026-products.json, paris_special-days.csv."""
    if given:
        return Kind(given)
    stem = path.name.split(".")[0].lower()
    for kind in sorted(Kind, key=lambda k: -len(k.value)):
        if stem == kind.value or stem.endswith((f"-{kind.value}", f"_{kind.value}")):
            return kind
    names = ", ".join(kind.value for kind in Kind)
    raise UnknownKind(f"{path.name}: cannot tell what it holds from its name ({names}); use --kind")


@dataclass(frozen=True)
class Source:
    name: str
    kind: Kind
    text: str


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field or '(row)'}: {self.message}"


@dataclass
class FileReport:
    file: str
    kind: Kind
    rows: int = 0
    counts: dict[Change, int] = field(default_factory=lambda: dict.fromkeys(Change, 0))
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileReport]
    applied: bool

    @property
    def errors(self) -> list[RowError]:
        return [error for report in self.files for error in report.errors]

    @property
    def changes(self) -> int:
        return sum(r.counts[Change.CREATED] + r.counts[Change.UPDATED] for r in self.files)

    def lines(self, dry_run: bool) -> list[str]:
        """What `oms import` prints: every bad row, then a line per file, then what happened."""
        summary = [
            f"{r.file} ({r.kind.value}): {r.rows} rows, {r.counts[Change.CREATED]} created, "
            f"{r.counts[Change.UPDATED]} updated, {r.counts[Change.UNCHANGED]} unchanged, "
            f"{len({e.line for e in r.errors})} bad"
            for r in self.files
        ]
        bad = len({(e.file, e.line) for e in self.errors})
        if self.applied:
            outcome = f"{self.changes} changes applied" + (f"; {bad} bad rows skipped" if bad else "")
        elif dry_run:
            found = f", {bad} bad rows" if bad else ""
            outcome = f"dry run: {self.changes} changes to apply{found}, nothing applied"
        else:
            outcome = f"{bad} bad rows: nothing applied (fix them, or use --per-row)"
        return [*map(str, self.errors), *summary, outcome]


@dataclass
class _Row:
    line: int
    data: dict[str, Any]
    record: Any = None


def _csv_rows(kind: Kind, text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    rows, line = [], 1
    for data in reader:
        beyond = data.pop(None, None)  # type: ignore[call-overload]
        cells = {key.strip(): value.strip() for key, value in data.items() if key and value and value.strip()}
        if beyond:  # more cells than the header names: the model refuses it as a field it does not know
            cells["cells_beyond_the_header"] = beyond
        rows.append(_Row(line + 1, _stores_cells(cells) if kind is Kind.STORES else cells))
        line = reader.line_num
    return rows


def _stores_cells(cells: dict[str, Any]) -> dict[str, Any]:
    """CSV: one slot rule for the whole week, in columns slot_minutes and slot_capacity."""
    minutes, capacity = cells.pop("slot_minutes", None), cells.pop("slot_capacity", None)
    if minutes is not None or capacity is not None:
        cells["slots"] = [{"weekday": day, "minutes": minutes, "capacity": capacity} for day in range(7)]
    return cells


def _json_rows(text: str) -> list[_Row]:
    """A JSON array of objects, each row numbered by the line it starts on."""
    decoder, rows = json.JSONDecoder(), list[_Row]()
    position = len(text) - len(text.lstrip())
    if not text[position:].startswith("["):
        raise ValueError("a JSON file holds an array of objects")
    position += 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return rows
        item, end = decoder.raw_decode(text, position)
        if not isinstance(item, dict):
            raise ValueError(f"line {text.count(chr(10), 0, position) + 1}: each item is an object")
        rows.append(_Row(text.count("\n", 0, position) + 1, item))
        position = end


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def _csv_field(source: Source, location: tuple[Any, ...]) -> str:
    """The field as the file names it: in a stores CSV, a week's slot rule is two columns."""
    if source.kind is Kind.STORES and location[:1] == ("slots",) and not source.name.endswith(".json"):
        return f"slot_{location[-1]}"
    return _field(location)


def _check(source: Source, report: FileReport, seen: dict[tuple[Any, ...], str]) -> list[_Row]:
    """The file's rows, each validated by its model and its key checked against rows seen before."""
    try:
        rows = (
            _json_rows(source.text)
            if source.name.lower().endswith(".json")
            else _csv_rows(source.kind, source.text)
        )
    except ValueError as unreadable:
        report.errors.append(RowError(source.name, 0, "", f"cannot be read: {unreadable}"))
        return []
    report.rows = len(rows)
    for row in rows:
        try:
            row.record = MODELS[source.kind].model_validate(row.data)
        except ValidationError as invalid:
            named = {_csv_field(source, error["loc"]): error["msg"] for error in invalid.errors()}
            report.errors += [RowError(source.name, row.line, name, msg) for name, msg in named.items()]
            continue
        key = (source.kind, *(getattr(row.record, name) for name in KEYS[source.kind]))
        if key in seen:
            names = "+".join(KEYS[source.kind])
            message = f"duplicate key {'/'.join(map(str, key[1:]))}: already on {seen[key]}"
            report.errors.append(RowError(source.name, row.line, names, message))
            row.record = None
        else:
            seen[key] = f"{source.name}:{row.line}"
    return rows


async def _apply(
    conn: AsyncConnection,
    source: Source,
    rows: list[_Row],
    report: FileReport,
    known: Known,
    *,
    only_new: bool,
    per_row: bool,
) -> bool:
    """Apply the file's good rows; False when the database refused one and the transaction is lost
    (all at once: the rows after it are not tried; per row, each has its savepoint)."""
    for row in rows:
        if row.record is None:
            continue
        try:
            if per_row:
                async with conn.begin_nested():
                    change = await APPLY[source.kind](conn, row.record, known, only_new=only_new)
            else:
                change = await APPLY[source.kind](conn, row.record, known, only_new=only_new)
        except InvalidField as refused:
            report.errors.append(RowError(source.name, row.line, _field(refused.field), refused.message))
        except (IntegrityError, DataError) as refused:
            message = str(refused.orig).splitlines()[0]
            report.errors.append(RowError(source.name, row.line, "", f"the database refused it: {message}"))
            if not per_row:
                return False
        else:
            report.counts[change] += 1
    try:
        await master_data.flush(conn, known)
    except (IntegrityError, DataError) as refused:
        message = str(refused.orig).splitlines()[0]
        report.errors.append(RowError(source.name, 0, "", f"the database refused its rows: {message}"))
        return False
    return True


async def _known(conn: AsyncConnection, checked: list[tuple[Kind, list[_Row]]]) -> Known:
    """The rows every good record names, read in a few queries."""
    records = {kind: [row.record for row in rows if row.record is not None] for kind, rows in checked}
    places = [*records.get(Kind.LOCATIONS, []), *records.get(Kind.SPECIAL_DAYS, [])]
    return await read_known(
        conn,
        store_ids=[r.id for r in records.get(Kind.STORES, [])] + [r.store_id for r in places],
        skus=[r.sku for r in [*records.get(Kind.PRODUCTS, []), *records.get(Kind.LOCATIONS, [])]],
        barcodes=[code for r in records.get(Kind.PRODUCTS, []) for code in r.barcodes],
        stores_of_locations=[r.store_id for r in records.get(Kind.LOCATIONS, [])],
    )


async def import_sources(
    engine: AsyncEngine,
    sources: list[Source],
    *,
    dry_run: bool = False,
    per_row: bool = False,
    only_new: bool = False,
) -> ImportReport:
    """Check every row of every file, apply them in one transaction, and say what changed.
    `only_new`: existing records are left as they are (the demo data at each start)."""
    ordered = sorted(sources, key=lambda source: ORDER.index(source.kind))
    reports = [FileReport(source.name, source.kind) for source in ordered]
    seen: dict[tuple[Any, ...], str] = {}
    checked = [_check(source, report, seen) for source, report in zip(ordered, reports, strict=True)]
    async with engine.connect() as conn:
        transaction = await conn.begin()
        known = await _known(
            conn, [(source.kind, rows) for source, rows in zip(ordered, checked, strict=True)]
        )
        known.batch = not per_row  # per row, each row is written (and may fail) on its own
        for source, rows, report in zip(ordered, checked, reports, strict=True):
            if not await _apply(conn, source, rows, report, known, only_new=only_new, per_row=per_row):
                break
        result = ImportReport(reports, applied=False)
        if dry_run or (result.errors and not per_row):
            await transaction.rollback()
        else:
            await transaction.commit()
            result.applied = True
    return result


def read_sources(paths: list[Path], kind: str | None = None) -> list[Source]:
    """The files as sources, their kind from `kind` or their names (UnknownKind when it cannot be told)."""
    return [Source(path.name, kind_of(path, kind), path.read_text(encoding="utf-8")) for path in paths]
