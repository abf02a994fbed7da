"""available to promise written once: a SQL function, a view, and oms_reserve using them

`oms_available_to_promise` is the rule of `domain.stock.available_to_promise` (on hand − reserved −
safety stock, expired checkout holds counted as free, never below zero); the planner inlines it, so
it costs what the bare expression did. The `stock_available` view adds each row's expired holds to
it: availability and routing read it. `oms_reserve` frees expired holds first, then checks the same
function under the row lock. tests/integration/test_available_to_promise.py holds all three to the
Python rule.

Revision ID: 0008
Revises: 0007
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ATP_FUNCTION = """
CREATE OR REPLACE FUNCTION oms_available_to_promise(
    p_on_hand int, p_reserved int, p_safety_stock int, p_expired_holds int DEFAULT 0
) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT GREATEST(p_on_hand - (p_reserved - p_expired_holds) - p_safety_stock, 0) $$;
"""

ATP_VIEW = """
CREATE OR REPLACE VIEW stock_available AS
SELECT l.store_id, l.sku, l.on_hand, l.reserved, l.safety_stock,
       oms_available_to_promise(l.on_hand, l.reserved, l.safety_stock, COALESCE((
           SELECT sum(r.quantity) FROM reservations r
            WHERE r.store_id = l.store_id AND r.sku = l.sku AND r.state = 'active'
              AND r.expires_at IS NOT NULL AND r.expires_at <= now()), 0)::int) AS available
  FROM stock_levels l;
"""

# As in 0002, but the check and the report of a short basket use oms_available_to_promise.
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
        -- expired holds are free now: one conditional UPDATE takes every line that fits; fewer rows than
        -- lines means a short basket
        WITH taken AS (
            UPDATE stock_levels l SET reserved = l.reserved + b.quantity, updated_at = now()
              FROM unnest(p_skus, p_quantities) AS b(sku, quantity)
             WHERE l.store_id = p_store AND l.sku = b.sku
               AND oms_available_to_promise(l.on_hand, l.reserved, l.safety_stock) >= b.quantity
            RETURNING l.sku
        )
        SELECT coalesce(array_agg(sku), '{}') INTO v_taken FROM taken;
        IF cardinality(v_taken) < array_length(p_skus, 1) THEN
            -- report what each line had before this attempt (the lines taken are rolled back with it)
            SELECT coalesce(jsonb_object_agg(b.sku, coalesce(oms_available_to_promise(
                       l.on_hand, l.reserved - CASE WHEN b.sku = ANY(v_taken) THEN b.quantity ELSE 0 END,
                       l.safety_stock), 0)), '{}')
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
    op.execute(ATP_FUNCTION)
    op.execute(ATP_VIEW)
    op.execute(RESERVE_FUNCTION)


def downgrade() -> None:
    op.execute(_reserve_function_of_0002())
    op.execute("DROP VIEW stock_available")
    op.execute("DROP FUNCTION oms_available_to_promise")


def _reserve_function_of_0002() -> str:
    spec = importlib.util.spec_from_file_location(
        "_oms_0002", Path(__file__).with_name("0002_stock_ledger.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.RESERVE_FUNCTION)
