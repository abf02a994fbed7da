"""master data: products active or not, several barcodes per product, API keys kept in the database

`products.barcode` stays (the first barcode, what the console shows); `product_barcodes` holds every
GTIN of a product, the one scanned included. API keys created by ops are kept as SHA-256 digests.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("products", sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))
    op.create_table(
        "product_barcodes",
        sa.Column("barcode", sa.String(14), primary_key=True),
        sa.Column("sku", sa.String(64), sa.ForeignKey("products.sku"), nullable=False, index=True),
        sa.Column("position", sa.SmallInteger, nullable=False, server_default="0"),
    )
    op.execute(
        "INSERT INTO product_barcodes (barcode, sku, position) "
        "SELECT barcode, sku, 0 FROM products WHERE barcode IS NOT NULL"
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("store_id", sa.String(64)),
        sa.Column("channel", sa.String(64)),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("replaced_by", sa.String(16)),
    )


def downgrade() -> None:
    op.drop_table("api_keys")
    op.drop_table("product_barcodes")
    op.drop_column("products", "active")
