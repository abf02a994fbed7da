"""Outbound order events: the transactional outbox, channel subscriptions and their deliveries

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbound_events",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("order_id", sa.String(160), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("order_id", "sequence"),
        sa.UniqueConstraint("order_id", "key"),
    )
    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("event_types", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("pump_owner", sa.String(200)),
        sa.Column("pump_lease_until", sa.DateTime(timezone=True)),
    )
    op.create_index("event_subscriptions_by_channel", "event_subscriptions", ["channel"])
    op.create_table(
        "event_deliveries",
        sa.Column(
            "subscription_id", sa.String(40), sa.ForeignKey("event_subscriptions.id", ondelete="CASCADE")
        ),
        sa.Column("event_id", sa.String(36), sa.ForeignKey("outbound_events.id"), nullable=False),
        sa.Column("order_id", sa.String(160), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("first_failed_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("dead_letter_id", sa.BigInteger),
        sa.PrimaryKeyConstraint("subscription_id", "event_id"),
    )
    # The pump's question: each order's oldest event not yet delivered to the subscription.
    op.create_index(
        "event_deliveries_open",
        "event_deliveries",
        ["subscription_id", "order_id", "sequence"],
        postgresql_where=sa.text("status <> 'delivered'"),
    )


def downgrade() -> None:
    op.drop_table("event_deliveries")
    op.drop_table("event_subscriptions")
    op.drop_table("outbound_events")
