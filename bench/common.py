"""What the benchmarks share: a throwaway embedded PostgreSQL with the schema, and percentiles."""

import socket
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from adapters.db.migrate import upgrade
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
