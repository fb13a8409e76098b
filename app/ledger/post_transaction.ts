import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { LedgerError } from '#ledger/core/errors'
import { GENESIS_HASH } from '#ledger/core/canonical'
import {
  accountCode,
  draftFingerprint,
  validateAccountRef,
  validateDraft,
} from '#ledger/core/validate'
import { splitAtSeq, transactionHash, transactionRecord } from '#ledger/core/record'
import type { AccountRef, AccountType, TransactionDraft } from '#ledger/core/types'
import type { PostedEntry, PostedTransaction, ReversalRequest } from '#ledger/types'
import { accountKey, createMissing } from '#ledger/accounts'
import { checkTenant, mapPgError, MONEY_CHAIN, toBigInt } from '#ledger/sql'

const TX_COLUMNS = `t.id, t.tenant_id, t.seq, t.idempotency_key, t.fingerprint, t.kind, t.reverses_id,
  t.memo, t.prev_hash, t.hash, t.created_at`

async function loadEntries(
  trx: TransactionClientContract,
  tenantId: number,
  transactionId: number
): Promise<PostedEntry[]> {
  const { rows } = await trx.rawQuery(
    `SELECT e.id, e.line, e.account_id, e.amount::text AS amount, a.type, a.subject, a.currency
       FROM ledger_entries e
       JOIN ledger_accounts a ON a.tenant_id = e.tenant_id AND a.id = e.account_id
      WHERE e.tenant_id = ? AND e.transaction_id = ?
      ORDER BY e.line`,
    [tenantId, transactionId]
  )
  return rows.map((r: any) => ({
    id: Number(r.id),
    line: Number(r.line),
    accountId: Number(r.account_id),
    account: { type: r.type as AccountType, subject: r.subject, currency: String(r.currency) },
    amount: toBigInt(r.amount),
  }))
}

function toPosted(row: any, entries: PostedEntry[], replayed: boolean): PostedTransaction {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    seq: Number(row.seq),
    idempotencyKey: row.idempotency_key,
    fingerprint: String(row.fingerprint),
    kind: row.kind,
    reversesId: row.reverses_id === null ? null : Number(row.reverses_id),
    memo: row.memo ?? {},
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(row.created_at),
    entries,
    replayed,
  }
}

/** A stored transaction of the shop by id (with its entries), or null. */
export async function getTransaction(
  trx: TransactionClientContract,
  tenantId: number,
  id: number
): Promise<PostedTransaction | null> {
  const { rows } = await trx.rawQuery(
    `SELECT current_setting('app.tenant_id', true) AS tenant, ${TX_COLUMNS}
       FROM (SELECT 1) one
       LEFT JOIN ledger_transactions t ON t.tenant_id = ? AND t.id = ?`,
    [tenantId, id]
  )
  checkTenant(rows[0]?.tenant, tenantId)
  if (rows[0].id === null) return null
  return toPosted(rows[0], await loadEntries(trx, tenantId, id), false)
}

/** A stored transaction of the shop by idempotency key (with its entries), or null. */
export async function findTransactionByKey(
  trx: TransactionClientContract,
  tenantId: number,
  idempotencyKey: string
): Promise<PostedTransaction | null> {
  const { rows } = await trx.rawQuery(
    `SELECT current_setting('app.tenant_id', true) AS tenant, ${TX_COLUMNS}
       FROM (SELECT 1) one
       LEFT JOIN ledger_transactions t ON t.tenant_id = ? AND t.idempotency_key = ?`,
    [tenantId, idempotencyKey]
  )
  checkTenant(rows[0]?.tenant, tenantId)
  if (rows[0].id === null) return null
  return toPosted(rows[0], await loadEntries(trx, tenantId, Number(rows[0].id)), false)
}

/** Multiset signature of postings: `code|currency|amount` sorted. */
function signature(postings: Array<{ code: string; currency: string; amount: bigint }>) {
  return postings
    .map((p) => `${p.code}|${p.currency}|${p.amount}`)
    .sort()
    .join('\n')
}

/** A reversal must undo exactly the original's postings, and only once. */
async function checkReversal(
  trx: TransactionClientContract,
  draft: TransactionDraft,
  reversesId: number
) {
  const original = await getTransaction(trx, draft.tenantId, reversesId)
  if (!original) {
    throw new LedgerError('E_LEDGER_NOT_FOUND', `transaction ${reversesId} does not exist`)
  }
  const { rows } = await trx.rawQuery(
    `SELECT id FROM ledger_transactions WHERE tenant_id = ? AND reverses_id = ?`,
    [draft.tenantId, reversesId]
  )
  if (rows.length) {
    throw new LedgerError(
      'E_LEDGER_ALREADY_REVERSED',
      `transaction ${reversesId} is already reversed by transaction ${rows[0].id}`
    )
  }
  const undo = signature(
    original.entries.map((e) => ({
      code: accountCode(e.account),
      currency: e.account.currency,
      amount: -e.amount,
    }))
  )
  const given = signature(
    draft.postings.map((p) => ({
      code: accountCode(p.account),
      currency: p.account.currency,
      amount: p.amount,
    }))
  )
  if (undo !== given) {
    throw new LedgerError(
      'E_LEDGER_INVALID_REVERSAL',
      `the postings are not the exact opposite of transaction ${reversesId}'s`
    )
  }
}

/** The accounts named by a draft, as resolved (no lock taken). */
interface Resolved {
  id: number
  type: AccountType
  subject: string
  currency: string
  nonNegative: boolean
}

/**
 * One read before anything is locked: the transaction's tenant, the idempotency key's
 * transaction if any, the draft's accounts that exist, and whether the chain head exists.
 */
async function lookUp(
  trx: TransactionClientContract,
  tenantId: number,
  idempotencyKey: string,
  refs: Array<Required<AccountRef>>
) {
  const { rows } = await trx.rawQuery(
    `SELECT current_setting('app.tenant_id', true) AS tenant,
            (SELECT json_build_object('id', t.id, 'fingerprint', t.fingerprint)
               FROM ledger_transactions t
              WHERE t.tenant_id = ? AND t.idempotency_key = ?) AS existing,
            (SELECT json_agg(json_build_object('id', a.id, 'type', a.type, 'subject', a.subject,
                      'currency', a.currency, 'nonNegative', a.non_negative))
               FROM jsonb_to_recordset(?::jsonb) AS k(type text, subject text, currency text)
               JOIN ledger_accounts a
                 ON a.tenant_id = ? AND a.type = k.type AND a.subject = k.subject
                AND a.currency = k.currency::char(3)) AS accounts,
            EXISTS (SELECT 1 FROM ledger_heads WHERE tenant_id = ? AND id = ?) AS has_head`,
    [tenantId, idempotencyKey, JSON.stringify(refs), tenantId, tenantId, MONEY_CHAIN]
  )
  const row = rows[0]
  checkTenant(row?.tenant, tenantId)
  return {
    existing: row.existing as { id: number; fingerprint: string } | null,
    accounts: ((row.accounts ?? []) as Resolved[]).map((a) => ({
      ...a,
      id: Number(a.id),
      currency: String(a.currency),
    })),
    hasHead: Boolean(row.has_head),
  }
}

/**
 * The write, as one statement (the shop's critical section is this statement plus the
 * caller's COMMIT): lock the touched balance rows in ascending id order; refuse, writing
 * nothing, if a non-negative account would go below zero; lock the chain head (after the
 * balances: the initplan on `ok` runs first); take seq = last_seq + 1 and hash the link
 * (sha256 of prev_hash ‖ canonical record, the record's text split around its seq);
 * insert the transaction (ON CONFLICT on the idempotency key: nothing is written when a
 * concurrent post of the same key committed first) and its entries; move the balances;
 * advance the head.
 */
const WRITE_SQL = `
  WITH d AS (
    SELECT * FROM jsonb_to_recordset(?::jsonb) AS d(account_id bigint, delta text)
  ), locked AS (
    SELECT a.id, a.non_negative, a.balance FROM ledger_accounts a
     WHERE a.tenant_id = ? AND a.id = ANY(?::bigint[])
     ORDER BY a.id
       FOR NO KEY UPDATE
  ), short AS (
    SELECT l.id, l.balance::text AS balance, d.delta FROM locked l JOIN d ON d.account_id = l.id
     WHERE l.non_negative AND l.balance + d.delta::bigint < 0
  ), ok AS (
    SELECT NOT EXISTS (SELECT 1 FROM short) AND (SELECT count(*) FROM locked) = ? AS ok
  ), head AS (
    SELECT h.last_seq, h.last_hash FROM ledger_heads h
     WHERE h.tenant_id = ? AND h.id = ? AND (SELECT ok FROM ok)
       FOR UPDATE
  ), link AS (
    SELECT last_seq + 1 AS seq, last_hash AS prev_hash,
           encode(sha256(convert_to(last_hash || ?::text || (last_seq + 1)::text || ?::text, 'UTF8')), 'hex') AS hash
      FROM head
  ), tx AS (
    INSERT INTO ledger_transactions
      (tenant_id, head_id, seq, idempotency_key, fingerprint, kind, reverses_id, memo,
       prev_hash, hash, created_at)
    SELECT ?, ?, link.seq, ?, ?, ?, ?::bigint, ?::jsonb, link.prev_hash, link.hash, ?::timestamptz
      FROM link
    ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
    RETURNING id, seq, prev_hash, hash
  ), ent AS (
    INSERT INTO ledger_entries (tenant_id, transaction_id, line, account_id, amount, currency)
    SELECT ?, tx.id, e.line, e.account_id, e.amount::bigint, e.currency
      FROM tx, jsonb_to_recordset(?::jsonb) AS e(line int, account_id bigint, amount text, currency text)
     ORDER BY e.line
    RETURNING id, line
  ), bal AS (
    UPDATE ledger_accounts a SET balance = a.balance + d.delta::bigint, updated_at = now()
      FROM d, tx
     WHERE a.tenant_id = ? AND a.id = d.account_id
    RETURNING a.id
  ), hd AS (
    UPDATE ledger_heads h SET last_seq = tx.seq, last_hash = tx.hash, updated_at = now()
      FROM tx
     WHERE h.tenant_id = ? AND h.id = ?
    RETURNING h.id
  )
  SELECT (SELECT ok FROM ok) AS ok,
         (SELECT json_agg(json_build_array(id, balance, delta)) FROM short) AS short,
         tx.id, tx.seq, tx.prev_hash, tx.hash,
         (SELECT json_agg(json_build_array(id, line)) FROM ent) AS entries,
         (SELECT count(*) FROM bal)::int AS balances,
         (SELECT count(*) FROM hd)::int AS heads
    FROM (SELECT 1) one LEFT JOIN tx ON true`

/**
 * Record one ledger transaction inside the caller's database transaction `trx`, which must be
 * the unit of work of shop `draft.tenantId` (`withTenant`), so the business change and its
 * money move commit or roll back together.
 *
 * Steps (docs/architecture.md, Ledger): validate (pure core); one read: the transaction's
 * tenant, the idempotency key (same fingerprint: return the original, nothing written;
 * different: E_LEDGER_IDEMPOTENCY_CONFLICT), the accounts (missing ones are created, before
 * any balance row is locked) and the chain head; then ONE write statement that locks the
 * balances in id order and the chain head LAST, checks non-negative accounts, hashes the
 * link and writes everything. Two round trips plus the caller's BEGIN/SET/COMMIT.
 *
 * Throws LedgerError (E_LEDGER_INSUFFICIENT_FUNDS and the idempotency errors leave the
 * caller's transaction usable: nothing was written); the caller should roll back on errors
 * (withTenant does).
 */
export async function postTransaction(
  trx: TransactionClientContract,
  draft: TransactionDraft
): Promise<PostedTransaction> {
  validateDraft(draft)
  const tenantId = draft.tenantId
  const fingerprint = draftFingerprint(draft)
  const refs = draft.postings.map((p) => validateAccountRef(p.account))
  const unique = [...new Map(refs.map((r) => [accountKey(r), r])).values()]
  try {
    let found = await lookUp(trx, tenantId, draft.idempotencyKey, unique)
    const replay = async () => {
      const existing = await findTransactionByKey(trx, tenantId, draft.idempotencyKey)
      if (!existing) return null
      if (existing.fingerprint !== fingerprint) {
        throw new LedgerError(
          'E_LEDGER_IDEMPOTENCY_CONFLICT',
          `key ${draft.idempotencyKey} was already used for a different transaction (${existing.id})`
        )
      }
      return { ...existing, replayed: true }
    }
    if (found.existing) {
      const original = await replay()
      if (original) return original
    }

    const reversesId = draft.reversesId ?? null
    if (reversesId !== null) await checkReversal(trx, draft, reversesId)

    if (found.accounts.length < unique.length || !found.hasHead) {
      const have = new Set(found.accounts.map((a) => accountKey(a)))
      await createMissing(
        trx,
        tenantId,
        unique.filter((r) => !have.has(accountKey(r)))
      )
      if (!found.hasHead) {
        await trx.rawQuery(
          `INSERT INTO ledger_heads (tenant_id, id, last_seq, last_hash) VALUES (?, ?, 0, ?)
           ON CONFLICT (tenant_id, id) DO NOTHING`,
          [tenantId, MONEY_CHAIN, GENESIS_HASH]
        )
      }
      found = await lookUp(trx, tenantId, draft.idempotencyKey, unique)
      if (found.accounts.length < unique.length || !found.hasHead) {
        throw new Error('ledger: accounts or chain head could not be created')
      }
    }
    const byKey = new Map(found.accounts.map((a) => [accountKey(a), a]))
    const entries = draft.postings.map((p, i) => ({
      line: i + 1,
      account: byKey.get(accountKey(refs[i]))!,
      amount: p.amount,
    }))
    const deltas = new Map<number, bigint>()
    for (const e of entries) deltas.set(e.account.id, (deltas.get(e.account.id) ?? 0n) + e.amount)
    const moved = [...deltas].filter(([, d]) => d !== 0n)

    const createdAt = new Date()
    const memo = draft.memo ?? {}
    const record = transactionRecord({
      tenantId,
      seq: 0,
      idempotencyKey: draft.idempotencyKey,
      fingerprint,
      kind: draft.kind,
      reversesId,
      memo,
      createdAt: createdAt.toISOString(),
      entries: entries.map((e) => ({
        line: e.line,
        accountId: e.account.id,
        account: accountCode(e.account),
        currency: e.account.currency,
        amount: e.amount,
      })),
    })
    const { prefix, suffix } = splitAtSeq(record)

    const { rows } = await trx.rawQuery(WRITE_SQL, [
      JSON.stringify(moved.map(([id, d]) => ({ account_id: id, delta: d.toString() }))),
      tenantId,
      `{${moved.map(([id]) => id).join(',')}}`,
      moved.length,
      tenantId,
      MONEY_CHAIN,
      prefix,
      suffix,
      tenantId,
      MONEY_CHAIN,
      draft.idempotencyKey,
      fingerprint,
      draft.kind,
      reversesId,
      JSON.stringify(memo),
      createdAt.toISOString(),
      tenantId,
      JSON.stringify(
        entries.map((e) => ({
          line: e.line,
          account_id: e.account.id,
          amount: e.amount.toString(),
          currency: e.account.currency,
        }))
      ),
      tenantId,
      tenantId,
      MONEY_CHAIN,
    ] as any[])
    const written = rows[0]

    if (!written.ok) {
      const [id, balance, delta] =
        ((written.short ?? []) as Array<[number, string, string]>)[0] ?? []
      const account = found.accounts.find((a) => a.id === Number(id))
      throw new LedgerError(
        'E_LEDGER_INSUFFICIENT_FUNDS',
        account
          ? `${accountCode(account)} (${account.currency}) holds ${balance}, the transaction moves ${delta}`
          : 'a balance row could not be locked'
      )
    }
    if (written.id === null) {
      // A concurrent post of the same key committed between the read and the write.
      const original = await replay()
      if (original) return original
      throw new Error('ledger: the transaction was not written')
    }
    const seq = Number(written.seq)
    const prevHash = String(written.prev_hash)
    const hash = String(written.hash)
    if (written.heads !== 1 || transactionHash(prevHash, { ...record, seq }) !== hash) {
      throw new Error('ledger: the chain link written does not verify; rolling back')
    }
    const entryIds = new Map<number, number>(
      (written.entries as Array<[number, number]>).map(([id, line]) => [line, Number(id)])
    )
    return {
      id: Number(written.id),
      tenantId,
      seq,
      idempotencyKey: draft.idempotencyKey,
      fingerprint,
      kind: draft.kind,
      reversesId,
      memo,
      prevHash,
      hash,
      createdAt,
      entries: entries.map((e) => ({
        id: entryIds.get(e.line)!,
        line: e.line,
        accountId: e.account.id,
        account: { type: e.account.type, subject: e.account.subject, currency: e.account.currency },
        amount: e.amount,
      })),
      replayed: false,
    }
  } catch (error) {
    mapPgError(error)
  }
}

/**
 * Undo transaction `originalId` with a new transaction of the opposite postings that
 * references it (`reverses_id`); the original is never edited. Idempotent like any posting;
 * a transaction can be reversed once (E_LEDGER_ALREADY_REVERSED).
 */
export async function reverseTransaction(
  trx: TransactionClientContract,
  request: ReversalRequest
): Promise<PostedTransaction> {
  const { tenantId, originalId } = request
  if (!Number.isSafeInteger(originalId) || originalId <= 0) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'originalId must be a positive integer')
  }
  const original = await getTransaction(trx, tenantId, originalId)
  if (!original) {
    throw new LedgerError('E_LEDGER_NOT_FOUND', `transaction ${originalId} does not exist`)
  }
  return postTransaction(trx, {
    tenantId,
    idempotencyKey: request.idempotencyKey,
    kind: request.kind ?? 'ledger.reversal',
    reversesId: originalId,
    memo: { reason: String(request.reason ?? '').slice(0, 500), originalKind: original.kind },
    postings: original.entries.map((e) => ({ account: e.account, amount: -e.amount })),
  })
}
