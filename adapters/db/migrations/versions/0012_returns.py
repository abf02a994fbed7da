"""returns: each return of an order brought back to a store, its lines, refund and progress

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "returns",
        sa.Column("id", sa.String(200), primary_key=True),  # return_workflow_id(order, number)
        sa.Column("order_id", sa.String(160), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column(
            "request_key", sa.String(120), nullable=False, unique=True
        ),  # a double submit answers the first
        sa.Column("store_id", sa.String(64), nullable=False),  # where it was brought back
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lines", JSONB, nullable=False),
        sa.Column("refund", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("order_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("returns")
