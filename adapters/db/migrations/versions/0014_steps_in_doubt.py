"""orders.step_in_doubt_since: a step whose answer was lost to a Temporal outage, checked against the
workflow once Temporal answers again (services/orders.py settle_doubts)

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("step_in_doubt_since", sa.DateTime(timezone=True)))
    op.add_column("orders", sa.Column("step_in_doubt", JSONB))  # {"update": name, "request": body}
    op.create_index(
        "orders_steps_in_doubt",
        "orders",
        ["step_in_doubt_since"],
        postgresql_where=sa.text("step_in_doubt_since IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("orders_steps_in_doubt", table_name="orders")
    op.drop_column("orders", "step_in_doubt")
    op.drop_column("orders", "step_in_doubt_since")
