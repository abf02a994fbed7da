"""per-customer payload keys (erasure destroys them)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_keys",
        sa.Column("customer_ref", sa.String(64), primary_key=True),
        sa.Column("key", sa.LargeBinary(), nullable=True),  # null once erased
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("customer_keys")
