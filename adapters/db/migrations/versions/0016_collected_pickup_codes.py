"""collected_pickup_codes: the pickup code each order was collected with, so a return finds the order by
the code (or the customer's QR, which encodes it)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collected_pickup_codes",
        sa.Column("order_id", sa.String(160), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("code", sa.String(6), nullable=False, index=True),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("collected_pickup_codes")
