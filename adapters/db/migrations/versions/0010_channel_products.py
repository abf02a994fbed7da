"""channel products: a channel's own product ids (Shopify variant ids) mapped to our SKUs

A channel line may come with an empty SKU and name its product by the channel's variant id; ops map it
once (PUT /v1/channels/{channel}/products/{variant_id}), per account or for every account ('').

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_products",
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("account", sa.String(120), nullable=False, server_default=""),
        sa.Column("variant_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), sa.ForeignKey("products.sku"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("channel", "account", "variant_id"),
    )


def downgrade() -> None:
    op.drop_table("channel_products")
