"""The outbound order events' tables (migration 0017), on the same metadata as every other table."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from adapters.db.tables import metadata

# Outbound order events (migration 0017): the transactional outbox, written in the step's own
# transaction, and one delivery row per subscription that wants the event.
outbound_events = Table(
    "outbound_events",
    metadata,
    Column("id", String(36), primary_key=True),  # event_id(order, key): the same for a repeated step
    Column("order_id", String(160), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("key", String(200), nullable=False),  # what raised it, once per order
    Column("type", String(40), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("body", JSONB, nullable=False),  # the OrderEvent as delivered
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("order_id", "sequence"),
    UniqueConstraint("order_id", "key"),
)

event_subscriptions = Table(
    "event_subscriptions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # write-only through the API
    Column("event_types", JSONB, nullable=False),  # [] means every type
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("pump_owner", String(200)),  # the pump delivering now, until its lease runs out
    Column("pump_lease_until", DateTime(timezone=True)),
)

event_deliveries = Table(
    "event_deliveries",
    metadata,
    Column("subscription_id", String(40), ForeignKey("event_subscriptions.id", ondelete="CASCADE")),
    Column("event_id", String(36), ForeignKey("outbound_events.id"), nullable=False),
    Column("order_id", String(160), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("first_failed_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    Column("dead_letter_id", BigInteger),
    PrimaryKeyConstraint("subscription_id", "event_id"),
)
