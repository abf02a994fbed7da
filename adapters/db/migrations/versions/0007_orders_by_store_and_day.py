"""orders indexed by store and creation time

Routing counts today's orders per store and store queues list them oldest first: both read one index
range instead of every order the store ever had.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_store_created", "orders", ["store_id", "created_at"])
    op.drop_index("ix_orders_store_id", table_name="orders")  # a prefix of the new index


def downgrade() -> None:
    op.create_index("ix_orders_store_id", "orders", ["store_id"])
    op.drop_index("ix_orders_store_created", table_name="orders")
