"""stock ledger, safety stock, holds, inventory feed, replenishment alerts, at-risk orders

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# One round trip reserves a whole basket: the hot row is locked for the length of this function only.
# Expired checkout holds on the basket's rows are released first, so no sweeper is needed for correctness.
RESERVE_FUNCTION = """
CREATE OR REPLACE FUNCTION oms_reserve(
    p_holder text, p_store text, p_skus text[], p_quantities int[], p_expires_at timestamptz,
    p_source text, p_from_hold text DEFAULT NULL
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_row record;
    v_levels jsonb := '{}'::jsonb;
    v_taken text[];
BEGIN
    IF EXISTS (SELECT 1 FROM reservations WHERE order_id = p_holder) THEN
        RETURN jsonb_build_object('reserved', true, 'repeat', true, 'levels', '{}'::jsonb);
    END IF;
    BEGIN
        -- Write the reservation and its ledger entries before taking the row locks: the hot rows stay
        -- locked only for the check and the counter update. A short basket rolls all of it back.
        INSERT INTO reservations (order_id, sku, store_id, quantity, state, expires_at)
        SELECT p_holder, b.sku, p_store, b.quantity, 'active', p_expires_at
          FROM unnest(p_skus, p_quantities) AS b(sku, quantity);
        INSERT INTO stock_movements (store_id, sku, kind, on_hand_delta, reserved_delta, holder_id, reason,
                                     source, idempotency_key, occurred_at)
        SELECT p_store, b.sku, 'reserve', 0, b.quantity, p_holder,
               CASE WHEN p_expires_at IS NULL THEN 'order' ELSE 'checkout hold' END, p_source,
               'reserve:' || p_holder || ':' || b.sku, now()
          FROM unnest(p_skus, p_quantities) AS b(sku, quantity);
        -- A basket of several lines locks its rows in key order first, so overlapping baskets cannot
        -- deadlock; a single line is locked by its own UPDATE below (the usual, hot case).
        IF array_length(p_skus, 1) > 1 THEN
            PERFORM 1 FROM stock_levels
             WHERE store_id = p_store AND sku = ANY(p_skus) ORDER BY sku FOR UPDATE;
        END IF;
        -- free expired holds, and the hold this order converts (two index-friendly queries, not an OR);
        -- the state guard makes a concurrent release of the same hold count once
        FOR v_row IN
            SELECT r.order_id, r.sku, r.quantity FROM reservations r
             WHERE r.store_id = p_store AND r.sku = ANY(p_skus) AND r.state = 'active'
               AND r.expires_at IS NOT NULL AND r.expires_at <= now()
            UNION
            SELECT r.order_id, r.sku, r.quantity FROM reservations r
             WHERE r.order_id = p_from_hold AND r.store_id = p_store AND r.sku = ANY(p_skus)
               AND r.state = 'active'
             ORDER BY 2
        LOOP
            UPDATE reservations SET state = 'released', updated_at = now()
             WHERE order_id = v_row.order_id AND sku = v_row.sku AND state = 'active';
            CONTINUE WHEN NOT FOUND;
            UPDATE stock_levels SET reserved = reserved - v_row.quantity, updated_at = now()
             WHERE store_id = p_store AND sku = v_row.sku;
            INSERT INTO stock_movements (store_id, sku, kind, on_hand_delta, reserved_delta, holder_id, reason,
                                         source, idempotency_key, occurred_at)
            VALUES (p_store, v_row.sku, 'release', 0, -v_row.quantity, v_row.order_id,
                    CASE WHEN v_row.order_id = p_from_hold THEN 'hold converted to order ' || p_holder
                         ELSE 'hold expired' END,
                    p_source, 'release:' || v_row.order_id || ':' || v_row.sku, now())
            ON CONFLICT (idempotency_key) DO NOTHING;
        END LOOP;
        -- one conditional UPDATE takes every line that fits; fewer rows than lines means a short basket
        WITH taken AS (
            UPDATE stock_levels l SET reserved = l.reserved + b.quantity, updated_at = now()
              FROM unnest(p_skus, p_quantities) AS b(sku, quantity)
             WHERE l.store_id = p_store AND l.sku = b.sku
               AND l.on_hand - l.reserved - l.safety_stock >= b.quantity
            RETURNING l.sku
        )
        SELECT coalesce(array_agg(sku), '{}') INTO v_taken FROM taken;
        IF cardinality(v_taken) < array_length(p_skus, 1) THEN
            -- report what each line had before this attempt (the lines taken are rolled back with it)
            SELECT coalesce(jsonb_object_agg(b.sku, coalesce(GREATEST(
                       l.on_hand - l.reserved - l.safety_stock
                       + CASE WHEN b.sku = ANY(v_taken) THEN b.quantity ELSE 0 END, 0), 0)), '{}')
              INTO v_levels
              FROM unnest(p_skus, p_quantities) AS b(sku, quantity)
              LEFT JOIN stock_levels l ON l.store_id = p_store AND l.sku = b.sku;
            RAISE EXCEPTION USING ERRCODE = 'OMS01', MESSAGE = 'insufficient stock', DETAIL = v_levels::text;
        END IF;
    EXCEPTION
        WHEN unique_violation THEN  -- a concurrent attempt for the same holder got there first
            RETURN jsonb_build_object('reserved', true, 'repeat', true, 'levels', '{}'::jsonb);
        WHEN SQLSTATE 'OMS01' THEN
            RETURN jsonb_build_object('reserved', false, 'repeat', false, 'levels', v_levels);
    END;
    RETURN jsonb_build_object('reserved', true, 'repeat', false, 'levels', v_levels);
END;
$$;
"""


def upgrade() -> None:
    op.add_column("stores", sa.Column("email", sa.Text(), nullable=True))
    op.create_index("ix_stock_levels_sku", "stock_levels", ["sku", "store_id"])
    op.add_column("stock_levels", sa.Column("safety_stock", sa.Integer(), server_default="0", nullable=False))
    op.create_check_constraint("safety_stock_not_negative", "stock_levels", "safety_stock >= 0")
    op.add_column("reservations", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "reservations", sa.Column("at_risk", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_index(
        "ix_reservations_active_by_row",
        "reservations",
        ["store_id", "sku", "created_at"],
        postgresql_where=sa.text("state = 'active'"),
    )
    op.create_index(
        "ix_reservations_expiring_holds",
        "reservations",
        ["store_id", "sku"],
        postgresql_where=sa.text("state = 'active' AND expires_at IS NOT NULL"),
    )
    op.add_column("orders", sa.Column("at_risk", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("on_hand_delta", sa.Integer(), nullable=False),
        sa.Column("reserved_delta", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.String(160)),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("idempotency_key", sa.String(240), nullable=False, unique=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_index("ix_stock_movements_row_time", "stock_movements", ["store_id", "sku", "occurred_at"])
    op.create_table(
        "inventory_events",
        sa.Column("event_id", sa.String(120), primary_key=True),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_hand_delta", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_table(
        "inventory_event_rejections",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.String(120)),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    )
    op.create_table(
        "replenishment_alerts",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("safety_stock", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "one_open_alert_per_row",
        "replenishment_alerts",
        ["store_id", "sku"],
        unique=True,
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    # Levels recorded before the ledger existed become its opening entries.
    op.execute(
        """INSERT INTO stock_movements (store_id, sku, kind, on_hand_delta, reserved_delta, reason, source,
                                        idempotency_key, occurred_at)
           SELECT store_id, sku, 'count', on_hand, reserved, 'opening balance', 'migration 0002',
                  'opening:' || store_id || ':' || sku, now() FROM stock_levels"""
    )
    op.execute(RESERVE_FUNCTION)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS oms_reserve")
    op.drop_table("replenishment_alerts")
    op.drop_table("inventory_event_rejections")
    op.drop_table("inventory_events")
    op.drop_table("stock_movements")
    op.drop_column("orders", "at_risk")
    op.drop_index("ix_reservations_active_by_row", "reservations")
    op.drop_column("reservations", "at_risk")
    op.drop_column("reservations", "expires_at")
    op.drop_index("ix_reservations_expiring_holds", "reservations")
    op.drop_index("ix_stock_levels_sku", "stock_levels")
    op.drop_column("stores", "email")
    op.drop_constraint("safety_stock_not_negative", "stock_levels")
    op.drop_column("stock_levels", "safety_stock")
