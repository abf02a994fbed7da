"""notification delivery: provider message ids, delivery status, failures

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("language", sa.String(8)))
    op.add_column("notifications", sa.Column("provider_message_id", sa.String(120)))
    op.add_column("notifications", sa.Column("delivery_status", sa.String(32)))
    op.add_column("notifications", sa.Column("failure", sa.Text()))
    op.add_column("notifications", sa.Column("sent_at", sa.DateTime(timezone=True)))
    op.add_column(
        "notifications",
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("ix_notifications_provider_message_id", "notifications", ["provider_message_id"])


def downgrade() -> None:
    op.drop_index("ix_notifications_provider_message_id", "notifications")
    for column in ("updated_at", "sent_at", "failure", "delivery_status", "provider_message_id", "language"):
        op.drop_column("notifications", column)
