"""pickup slots: per store and weekday the slot length and how many orders a slot hands over (staffing),
the places taken per slot, and each order's booking

`pickup_slots.booked` is raised by one conditional UPDATE (`booked < capacity`): concurrent bookings of a
slot's last places queue on its row, so a slot is never overbooked. One booking per order.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pickup_slot_rules",
        sa.Column("store_id", sa.String(64), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("weekday", sa.SmallInteger, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "weekday"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="slot_rule_weekday"),
        sa.CheckConstraint("minutes BETWEEN 5 AND 240", name="slot_rule_minutes"),
        sa.CheckConstraint("capacity >= 1", name="slot_rule_capacity"),
    )
    op.create_table(
        "pickup_slots",
        sa.Column("store_id", sa.String(64), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked", sa.Integer, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("store_id", "starts_at"),
        sa.CheckConstraint("booked >= 0", name="slot_booked_not_negative"),
    )
    op.create_table(
        "pickup_slot_bookings",
        sa.Column("order_id", sa.String(160), primary_key=True),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.ForeignKeyConstraint(
            ["store_id", "starts_at"], ["pickup_slots.store_id", "pickup_slots.starts_at"]
        ),
    )


def downgrade() -> None:
    op.drop_table("pickup_slot_bookings")
    op.drop_table("pickup_slots")
    op.drop_table("pickup_slot_rules")
