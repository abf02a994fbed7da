"""store queues read in pages: orders indexed by store, (status,) creation time and id

The store queue (GET /v1/stores/{store}/orders) pages oldest first on (created_at, id), with or without
a status: each page, the first or the one after a cursor, is one index range in that order, however many
orders the store has had (no sort of the store's whole history). The store-and-day index of 0007 is a
prefix of the first one (routing's count of today's orders reads it as before).

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_store_created_id", "orders", ["store_id", "created_at", "id"])
    op.create_index("ix_orders_store_status_created_id", "orders", ["store_id", "status", "created_at", "id"])
    op.drop_index("ix_orders_store_created", table_name="orders")  # a prefix of the first


def downgrade() -> None:
    op.create_index("ix_orders_store_created", "orders", ["store_id", "created_at"])
    op.drop_index("ix_orders_store_status_created_id", table_name="orders")
    op.drop_index("ix_orders_store_created_id", table_name="orders")
