"""What the benchmarks share: a throwaway embedded PostgreSQL with the schema, and percentiles."""

import re
import socket
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from adapters.db.migrate import upgrade
from bench.driver import HttpDriver
from config.settings import to_sqlalchemy_url
from devstack.embedded import EmbeddedPostgres


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_database() -> Iterator[str]:
    """A fresh PostgreSQL with the OMS schema, removed afterwards; yields its SQLAlchemy URL."""
    with tempfile.TemporaryDirectory() as scratch:
        postgres = EmbeddedPostgres(Path(scratch) / "pg", free_port())
        url = to_sqlalchemy_url(postgres.start())
        try:
            upgrade(url)
            yield url
        finally:
            postgres.stop()


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


async def pickup_code_of(http: HttpDriver, order_id: str) -> str:
    """The code as the customer received it: from the ready-for-pickup message."""
    messages = (await http.get(f"/v1/orders/{order_id}/notifications")).json()
    ready = [message for message in messages if message["kind"] == "ready_for_pickup"]
    assert ready, f"{order_id}: no ready-for-pickup message in {[m['kind'] for m in messages]}"
    return re.search(r"\b(\d{6})\b", ready[-1]["body"]).group(1)  # type: ignore[union-attr]
