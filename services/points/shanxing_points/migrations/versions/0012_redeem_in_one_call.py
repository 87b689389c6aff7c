"""PostgreSQL only: a redemption's statements in one server-side function

Revision ID: 0012_redeem_in_one_call
Revises: 0011_redemption_holds
Create Date: 2026-12-03 16:45:00

The function runs the happy path of service.redemptions.redeem in one round trip (decision 0022).
It never decides anything the Python path would decide differently: whenever a step does not go
through (a replayed key, a suspended merchant, an unusable code, short stock, a daily limit, an
account not open yet, too few points) it raises SQLSTATE SX001, the caller rolls the transaction
back and runs the Python path, which gives the precise answer. A later migration that changes a
table this function writes must replace the function too (tests run every redemption test on
PostgreSQL through it).
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0012_redeem_in_one_call'
down_revision: Union[str, Sequence[str], None] = '0011_redemption_holds'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION points_redeem_v1(
    p_merchant_id text, p_key text, p_request_hash text, p_now timestamptz, p_store_id text,
    p_code_hash text, p_skus text[], p_quantities integer[], p_redemption_id text, p_made_by text,
    p_body jsonb, p_event_id text, p_event_type text, p_envelope jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $fn$
DECLARE
    v_status text;
    v_merchant_account text;
    v_code_id text;
    v_volunteer_id text;
    v_volunteer_account text;
    v_display_name text;
    v_good record;
    v_good_ids text[] := '{}';
    v_names text[] := '{}';
    v_units bigint[] := '{}';
    v_total bigint := 0;
    v_transfer_id text := 'redeem:' || p_redemption_id;
    v_volunteer_balance bigint;
    v_merchant_balance bigint;
    v_body jsonb;
    v_event_items jsonb;
BEGIN
    -- The key first, as the Python path takes it: a concurrent request with the same key waits
    -- here, and both paths take their locks in one order (key, code, goods, accounts).
    INSERT INTO idempotency_keys (merchant_id, key, request_hash, created_at)
    VALUES (p_merchant_id, p_key, p_request_hash, p_now) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'redemption declined: idempotency key seen' USING ERRCODE = 'SX001';
    END IF;

    SELECT m.status, a.id INTO v_status, v_merchant_account
    FROM merchants m LEFT JOIN accounts a ON a.kind = 'merchant' AND a.owner_id = m.id
    WHERE m.id = p_merchant_id;
    IF v_status IS DISTINCT FROM 'active' OR v_merchant_account IS NULL THEN
        RAISE EXCEPTION 'redemption declined: merchant' USING ERRCODE = 'SX001';
    END IF;
    IF p_store_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM stores WHERE id = p_store_id AND merchant_id = p_merchant_id) THEN
        RAISE EXCEPTION 'redemption declined: store' USING ERRCODE = 'SX001';
    END IF;

    UPDATE redemption_codes SET used_at = p_now
    WHERE code_hash = p_code_hash AND used_at IS NULL AND expires_at > p_now
    RETURNING id, volunteer_id INTO v_code_id, v_volunteer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'redemption declined: code' USING ERRCODE = 'SX001';
    END IF;
    SELECT id, display_name INTO v_volunteer_account, v_display_name
    FROM accounts WHERE kind = 'volunteer' AND owner_id = v_volunteer_id;
    IF v_volunteer_account IS NULL THEN
        RAISE EXCEPTION 'redemption declined: volunteer account' USING ERRCODE = 'SX001';
    END IF;

    -- skus arrive sorted, so concurrent redemptions lock goods in one order (as the Python path)
    FOR i IN 1 .. coalesce(array_length(p_skus, 1), 0) LOOP
        UPDATE goods SET stock = stock - p_quantities[i]
        WHERE merchant_id = p_merchant_id AND sku = p_skus[i] AND active IS TRUE
          AND stock >= p_quantities[i]
        RETURNING id, name, points, daily_limit_per_volunteer INTO v_good;
        IF NOT FOUND OR v_good.daily_limit_per_volunteer IS NOT NULL THEN
            RAISE EXCEPTION 'redemption declined: sku %', p_skus[i] USING ERRCODE = 'SX001';
        END IF;
        v_good_ids := v_good_ids || v_good.id::text;
        v_names := v_names || v_good.name::text;
        v_units := v_units || v_good.points::bigint;
        v_total := v_total + v_good.points * p_quantities[i];
    END LOOP;
    IF v_total <= 0 THEN
        RAISE EXCEPTION 'redemption declined: nothing to redeem' USING ERRCODE = 'SX001';
    END IF;

    INSERT INTO redemptions (id, merchant_id, volunteer_id, code_id, points, status, created_at,
                             refunded_at, store_id, made_by)
    VALUES (p_redemption_id, p_merchant_id, v_volunteer_id, v_code_id, v_total, 'completed', p_now,
            NULL, p_store_id, p_made_by);
    INSERT INTO redemption_items (redemption_id, good_id, sku, name, quantity, unit_points, points)
    SELECT p_redemption_id, g, s, n, q, u, u * q
    FROM unnest(v_good_ids, p_skus, v_names, p_quantities, v_units) AS t(g, s, n, q, u);

    INSERT INTO transfers (id, debit_account_id, credit_account_id, amount, kind, created_at)
    VALUES (v_transfer_id, v_volunteer_account, v_merchant_account, v_total, 'redeem', p_now);
    -- in account-id order (byte order, as Python sorts), so two transfers never deadlock
    IF v_volunteer_account COLLATE "C" < v_merchant_account COLLATE "C" THEN
        UPDATE accounts SET balance = balance - v_total, redeemed = redeemed + v_total
        WHERE id = v_volunteer_account AND balance >= v_total RETURNING balance INTO v_volunteer_balance;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'redemption declined: points' USING ERRCODE = 'SX001';
        END IF;
        UPDATE accounts SET balance = balance + v_total WHERE id = v_merchant_account
        RETURNING balance INTO v_merchant_balance;
    ELSE
        UPDATE accounts SET balance = balance + v_total WHERE id = v_merchant_account
        RETURNING balance INTO v_merchant_balance;
        UPDATE accounts SET balance = balance - v_total, redeemed = redeemed + v_total
        WHERE id = v_volunteer_account AND balance >= v_total RETURNING balance INTO v_volunteer_balance;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'redemption declined: points' USING ERRCODE = 'SX001';
        END IF;
    END IF;
    INSERT INTO postings (transfer_id, account_id, amount, balance_after, created_at)
    VALUES (v_transfer_id, v_volunteer_account, -v_total, v_volunteer_balance, p_now),
           (v_transfer_id, v_merchant_account, v_total, v_merchant_balance, p_now);

    -- The answer and the event: the caller's templates (service.redemptions) plus what only the
    -- database knew — the total, the lines and the volunteer.
    SELECT jsonb_agg(jsonb_build_object('sku', s, 'name', n, 'quantity', q, 'unit_points', u,
                                        'points', u * q, 'refunded_quantity', 0) ORDER BY s COLLATE "C"),
           jsonb_agg(jsonb_build_object('sku', s, 'quantity', q, 'points', u * q) ORDER BY s COLLATE "C")
    INTO v_body, v_event_items
    FROM unnest(p_skus, v_names, p_quantities, v_units) AS t(s, n, q, u);
    v_body := p_body || jsonb_build_object('points', v_total, 'items', v_body,
                                           'volunteer', jsonb_build_object('display_name', v_display_name));
    INSERT INTO outbox (event_id, type, envelope, created_at, attempts)
    VALUES (p_event_id, p_event_type,
            jsonb_set(p_envelope, '{data}', (p_envelope -> 'data') || jsonb_build_object(
                'volunteer_id', v_volunteer_id, 'points', v_total, 'items', v_event_items))::text,
            p_now, 0);

    UPDATE idempotency_keys SET status_code = 201, response = v_body::text
    WHERE merchant_id = p_merchant_id AND key = p_key;
    RETURN v_body;
END
$fn$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS points_redeem_v1(text, text, text, timestamptz, text, text, "
                   "text[], integer[], text, text, jsonb, text, text, jsonb)")
