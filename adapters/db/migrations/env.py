"""Alembic environment: migrations run on a synchronous psycopg connection."""

from alembic import context
from sqlalchemy import create_engine, pool

from adapters.db import event_tables  # noqa: F401 - its tables join the metadata
from adapters.db.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "adapters.db.migrate sets sqlalchemy.url"
connectable = create_engine(url, poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
