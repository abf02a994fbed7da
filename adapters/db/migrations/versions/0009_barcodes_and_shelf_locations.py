"""product barcodes and per-store shelf locations

The store console's pick list walks the store in shelf order and checks each scanned unit: products get
their GTIN/EAN barcode, and each store says where it keeps a SKU (aisle-bay-shelf, e.g. "A03-B2").

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("products", sa.Column("barcode", sa.String(14)))
    op.create_index("ix_products_barcode", "products", ["barcode"], unique=True)
    op.create_table(
        "shelf_locations",
        sa.Column("store_id", sa.String(64), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("sku", sa.String(64), sa.ForeignKey("products.sku"), nullable=False),
        sa.Column("location", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "sku"),
    )


def downgrade() -> None:
    op.drop_table("shelf_locations")
    op.drop_index("ix_products_barcode", table_name="products")
    op.drop_column("products", "barcode")
