"""`oms stock check` and `oms import`: the ledger check and master data from files."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from oms.runtime import run_command, settings_or_exit

stock_app = typer.Typer(help="Stock ledger tools.", no_args_is_help=True)


@stock_app.command("check")
def stock_check() -> None:
    """Check that every stock level equals the sum of its ledger entries; exit 1 listing any drift."""
    from adapters.db import create_engine
    from adapters.db.stock import LedgerDrift, check_ledger

    async def drift_rows() -> list[LedgerDrift]:
        engine = create_engine(settings_or_exit().sqlalchemy_url(), pool_size=1)
        try:
            async with engine.connect() as conn:
                return await check_ledger(conn)
        finally:
            await engine.dispose()

    drift = asyncio.run(drift_rows())
    for row in drift:
        typer.echo(
            f"{row.store_id}/{row.sku}: on hand {row.on_hand} (ledger {row.ledger_on_hand}), "
            f"reserved {row.reserved} (ledger {row.ledger_reserved})"
        )
    if drift:
        raise typer.Exit(1)
    typer.echo("stock levels agree with the ledger")


def import_files(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="CSV or JSON files")],
    kind: Annotated[
        str | None, typer.Option(help="stores | products | locations | special-days [default: the file name]")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Check and count, apply nothing")] = False,
    per_row: Annotated[bool, typer.Option(help="Apply the good rows even when some are bad")] = False,
) -> None:
    """Upsert master data from files (docs/integration.md): every bad row is named by file, line and
    field, and nothing is applied when one is (unless --per-row). Exit 1 when a row is bad."""
    from adapters.db import create_engine
    from services.importer import ImportReport, UnknownKind, import_sources, read_sources

    try:
        sources = read_sources(files, kind)
    except (UnknownKind, ValueError, UnicodeDecodeError) as unreadable:
        typer.echo(str(unreadable), err=True)
        raise typer.Exit(2) from None

    async def run() -> ImportReport:
        engine = create_engine(settings_or_exit().sqlalchemy_url(), pool_size=1)
        try:
            return await import_sources(engine, sources, dry_run=dry_run, per_row=per_row)
        finally:
            await engine.dispose()

    report = run_command(run())
    typer.echo("\n".join(report.lines(dry_run)))
    if report.errors:
        raise typer.Exit(1)
