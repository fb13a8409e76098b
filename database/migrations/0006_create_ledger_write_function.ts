import { BaseSchema } from '@adonisjs/lucid/schema'
import { runtimeRoles } from '#database/helpers/tenancy_sql'

/**
 * The posting's write step as a function (`app/ledger/post_transaction.ts` calls it): PL/pgSQL
 * caches its plans per connection, so the shop's critical section no longer pays for planning
 * a large statement on every posting, and the lock order is written out step by step.
 * SECURITY DEFINER, owned by the schema owner, which is itself subject to the forced RLS of
 * the ledger tables: it sees and writes only the shop set on the caller's transaction. It is
 * the only way the runtime roles can move a balance or the chain head (they have no UPDATE on
 * ledger_accounts / ledger_heads), and it derives the balance changes from the entries it
 * writes, so a balance always equals the sum of its entries whoever calls it.
 *
 * 1. Sum the entries per account; lock the balance rows that move, in ascending id order
 *    (FOR NO KEY UPDATE); if a
 *    non-negative account would go below zero, return it and write nothing.
 * 2. LAST, lock the chain head; seq = last_seq + 1; hash = sha256(prev_hash ‖ prefix ‖ seq ‖
 *    suffix), the canonical record split around its seq by the caller (`splitAtSeq`).
 * 3. Insert the transaction (ON CONFLICT on the idempotency key: a concurrent posting of the
 *    same key committed first → return no id, write nothing), its entries; move the
 *    balances; advance the head.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION lianka_ledger_write(
        p_tenant bigint, p_chain bigint, p_prefix text, p_suffix text,
        p_key text, p_fingerprint text, p_kind text, p_reverses bigint, p_memo jsonb,
        p_created timestamptz, p_entries jsonb)
      RETURNS TABLE (o_ok boolean, o_short_id bigint, o_short_balance text, o_short_delta text,
                     o_tx bigint, o_seq bigint, o_prev_hash text, o_hash text, o_entries jsonb)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      #variable_conflict use_column
      DECLARE
        r record;
        v_locked int := 0;
        v_seq bigint;
        v_prev text;
        v_hash text;
        v_tx bigint;
        v_entries jsonb;
        v_ids bigint[];
        v_deltas bigint[];
      BEGIN
        -- Defence in depth (forced RLS already confines the owner to the caller's shop).
        IF p_tenant IS DISTINCT FROM NULLIF(current_setting('app.tenant_id', true), '')::bigint THEN
          RAISE EXCEPTION 'E_LEDGER_CROSS_TENANT: shop % is not the transaction''s shop', p_tenant
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT coalesce(array_agg(x.account_id ORDER BY x.account_id), '{}'),
               coalesce(array_agg(x.delta ORDER BY x.account_id), '{}')
          INTO v_ids, v_deltas
          FROM (SELECT e.account_id, sum(e.amount::bigint)::bigint AS delta
                  FROM jsonb_to_recordset(p_entries)
                       AS e(line int, account_id bigint, amount text, currency text)
                 GROUP BY e.account_id
                HAVING sum(e.amount::bigint) <> 0) x;

        FOR r IN
          SELECT a.id, a.non_negative, a.balance, x.delta
            FROM ledger_accounts a
            JOIN unnest(v_ids, v_deltas) AS x(account_id, delta) ON x.account_id = a.id
           WHERE a.tenant_id = p_tenant
           ORDER BY a.id
             FOR NO KEY UPDATE OF a
        LOOP
          v_locked := v_locked + 1;
          IF r.non_negative AND r.balance + r.delta < 0 THEN
            RETURN QUERY SELECT false, r.id, r.balance::text, r.delta::text,
                                NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::jsonb;
            RETURN;
          END IF;
        END LOOP;
        IF v_locked <> cardinality(v_ids) THEN
          RAISE EXCEPTION 'E_LEDGER_ACCOUNT_MISSING: % of % accounts found', v_locked,
            cardinality(v_ids);
        END IF;

        SELECT h.last_seq, h.last_hash INTO v_seq, v_prev
          FROM ledger_heads h WHERE h.tenant_id = p_tenant AND h.id = p_chain
           FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'E_LEDGER_HEAD_MISSING: shop % has no chain head', p_tenant;
        END IF;
        v_seq := v_seq + 1;
        v_hash := encode(sha256(convert_to(v_prev || p_prefix || v_seq::text || p_suffix, 'UTF8')), 'hex');

        INSERT INTO ledger_transactions AS t
          (tenant_id, head_id, seq, idempotency_key, fingerprint, kind, reverses_id, memo,
           prev_hash, hash, created_at)
        VALUES (p_tenant, p_chain, v_seq, p_key, p_fingerprint, p_kind, p_reverses, p_memo,
                v_prev, v_hash, p_created)
        ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
        RETURNING t.id INTO v_tx;
        IF v_tx IS NULL THEN
          RETURN QUERY SELECT true, NULL::bigint, NULL::text, NULL::text,
                              NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::jsonb;
          RETURN;
        END IF;

        WITH ins AS (
          INSERT INTO ledger_entries (tenant_id, transaction_id, line, account_id, amount, currency)
          SELECT p_tenant, v_tx, e.line, e.account_id, e.amount::bigint, e.currency
            FROM jsonb_to_recordset(p_entries)
                 AS e(line int, account_id bigint, amount text, currency text)
           ORDER BY e.line
          RETURNING id, line
        )
        SELECT jsonb_agg(jsonb_build_array(ins.id, ins.line)) INTO v_entries FROM ins;

        UPDATE ledger_accounts a
           SET balance = a.balance + x.delta, updated_at = now()
          FROM unnest(v_ids, v_deltas) AS x(account_id, delta)
         WHERE a.tenant_id = p_tenant AND a.id = x.account_id;

        UPDATE ledger_heads h
           SET last_seq = v_seq, last_hash = v_hash, updated_at = now()
         WHERE h.tenant_id = p_tenant AND h.id = p_chain;

        RETURN QUERY SELECT true, NULL::bigint, NULL::text, NULL::text,
                            v_tx, v_seq, v_prev, v_hash, v_entries;
      END
      $$
    `)
    const signature =
      'lianka_ledger_write(bigint, bigint, text, text, text, text, text, bigint, jsonb, timestamptz, jsonb)'
    this.schema.raw(`REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC`)
    this.defer(async (db) => {
      await db.rawQuery(`GRANT EXECUTE ON FUNCTION ${signature} TO ${runtimeRoles().join(', ')}`)
    })
  }

  async down() {
    this.schema.raw(
      'DROP FUNCTION IF EXISTS lianka_ledger_write(bigint, bigint, text, text, text, text, text, bigint, jsonb, timestamptz, jsonb)'
    )
  }
}
