"""routing: store kind, routing state, capacity, shipping; shipments; refunds in the payments ledger

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stores", sa.Column("kind", sa.String(16), server_default="store", nullable=False))
    op.add_column("stores", sa.Column("routing", sa.String(16), server_default="open", nullable=False))
    op.add_column("stores", sa.Column("orders_per_hour", sa.Integer(), nullable=True))
    op.add_column("stores", sa.Column("orders_per_day", sa.Integer(), nullable=True))
    op.add_column("stores", sa.Column("ships", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("stores", sa.Column("country", sa.String(2), nullable=True))
    op.create_check_constraint("store_kind_known", "stores", "kind IN ('store', 'warehouse')")
    op.create_check_constraint("store_routing_known", "stores", "routing IN ('open', 'closed', 'frozen')")
    op.create_index(
        "ix_orders_in_preparation",
        "orders",
        ["store_id"],
        postgresql_where=sa.text("status IN ('reserved', 'accepted', 'picked')"),
    )
    op.create_table(
        "shipments",
        sa.Column("order_id", sa.String(160), primary_key=True),
        sa.Column("ship_from", sa.String(64), nullable=False),
        sa.Column("carrier", sa.Text(), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False, unique=True),
        sa.Column("cost", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=False),
        sa.Column("lines", postgresql.JSONB(), nullable=False),
        sa.Column("address", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.alter_column("payment_entries", "idempotency_key", type_=sa.String(240))
    op.add_column("payment_entries", sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("payment_entries", "reason")
    op.drop_table("shipments")
    op.drop_index("ix_orders_in_preparation", table_name="orders")
    for constraint in ("store_kind_known", "store_routing_known"):
        op.drop_constraint(constraint, "stores")
    for column in ("country", "ships", "orders_per_day", "orders_per_hour", "routing", "kind"):
        op.drop_column("stores", column)
