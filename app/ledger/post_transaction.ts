import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { LedgerError } from '#ledger/core/errors'
import { GENESIS_HASH } from '#ledger/core/canonical'
import {
  accountCode,
  draftFingerprint,
  validateAccountRef,
  validateDraft,
} from '#ledger/core/validate'
import { transactionHash, transactionRecord } from '#ledger/core/record'
import type { AccountType, TransactionDraft } from '#ledger/core/types'
import type { PostedEntry, PostedTransaction, ReversalRequest } from '#ledger/types'
import { accountKey, lockAccounts } from '#ledger/accounts'
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

/**
 * Record one ledger transaction inside the caller's database transaction `trx`, which must be
 * the unit of work of shop `draft.tenantId` (`withTenant`), so the business change and its
 * money move commit or roll back together.
 *
 * Steps (docs/architecture.md, Ledger): validate (pure core) → check the transaction's tenant →
 * take a per-key advisory lock and look the idempotency key up (same fingerprint: return the
 * original, nothing written; different: E_LEDGER_IDEMPOTENCY_CONFLICT) → resolve the accounts
 * (created on first use) and lock them in ascending id order, refusing to take a non-negative
 * account below zero → LAST, lock the shop's chain head, hash the link and write the
 * transaction, its entries, the balances and the head in one statement. The chain head is
 * the shop's hottest row; it is held from that lock to the caller's commit.
 *
 * Throws LedgerError; on any error the caller's transaction must roll back (withTenant does).
 */
export async function postTransaction(
  trx: TransactionClientContract,
  draft: TransactionDraft
): Promise<PostedTransaction> {
  validateDraft(draft)
  const tenantId = draft.tenantId
  const fingerprint = draftFingerprint(draft)
  try {
    // 1. Tenant check, and the per-key lock: a concurrent post of the same key waits here
    //    until the first commits or rolls back, then sees its row (read committed).
    const { rows: ctx } = await trx.rawQuery(
      `SELECT s.tenant,
              CASE WHEN s.tenant = ? THEN
                (SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(?, 0))) l)
              END AS locked
         FROM (SELECT current_setting('app.tenant_id', true) AS tenant) s`,
      [String(tenantId), `lianka.ledger:${tenantId}:${draft.idempotencyKey}`]
    )
    checkTenant(ctx[0]?.tenant, tenantId)

    // 2. Idempotency.
    const existing = await findTransactionByKey(trx, tenantId, draft.idempotencyKey)
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new LedgerError(
          'E_LEDGER_IDEMPOTENCY_CONFLICT',
          `key ${draft.idempotencyKey} was already used for a different transaction (${existing.id})`
        )
      }
      return { ...existing, replayed: true }
    }

    const reversesId = draft.reversesId ?? null
    if (reversesId !== null) await checkReversal(trx, draft, reversesId)

    // 3. Accounts: resolve, lock in id order, check non-negative.
    const refs = draft.postings.map((p) => validateAccountRef(p.account))
    const accounts = await lockAccounts(trx, tenantId, refs)
    const deltas = new Map<number, bigint>()
    const entries = draft.postings.map((p, i) => {
      const account = accounts.get(accountKey(refs[i]))!
      deltas.set(account.id, (deltas.get(account.id) ?? 0n) + p.amount)
      return { line: i + 1, account, amount: p.amount }
    })
    for (const [id, delta] of deltas) {
      const account = [...accounts.values()].find((a) => a.id === id)!
      if (account.nonNegative && account.balance + delta < 0n) {
        throw new LedgerError(
          'E_LEDGER_INSUFFICIENT_FUNDS',
          `${accountCode(account)} (${account.currency}) holds ${account.balance}, ` +
            `the transaction moves ${delta}`
        )
      }
    }

    // 4. LAST: the chain head (the per-shop chain lock), then one write statement.
    let head = await lockHead(trx, tenantId)
    if (!head) {
      await trx.rawQuery(
        `INSERT INTO ledger_heads (tenant_id, id, last_seq, last_hash) VALUES (?, ?, 0, ?)
         ON CONFLICT (tenant_id, id) DO NOTHING`,
        [tenantId, MONEY_CHAIN, GENESIS_HASH]
      )
      head = await lockHead(trx, tenantId)
      if (!head) throw new Error('ledger: chain head could not be created')
    }
    const seq = head.lastSeq + 1
    const createdAt = new Date()
    const memo = draft.memo ?? {}
    const record = transactionRecord({
      tenantId,
      seq,
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
    const hash = transactionHash(head.lastHash, record)

    const { rows } = await trx.rawQuery(
      `WITH tx AS (
         INSERT INTO ledger_transactions
           (tenant_id, head_id, seq, idempotency_key, fingerprint, kind, reverses_id, memo,
            prev_hash, hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)
         RETURNING id
       ), ent AS (
         INSERT INTO ledger_entries (tenant_id, transaction_id, line, account_id, amount, currency)
         SELECT ?, tx.id, e.line, e.account_id, e.amount::bigint, e.currency
           FROM tx, jsonb_to_recordset(?::jsonb) AS e(line int, account_id bigint, amount text, currency text)
          ORDER BY e.line
         RETURNING id, line
       ), bal AS (
         UPDATE ledger_accounts a
            SET balance = a.balance + d.delta::bigint, updated_at = now()
           FROM jsonb_to_recordset(?::jsonb) AS d(account_id bigint, delta text)
          WHERE a.tenant_id = ? AND a.id = d.account_id
         RETURNING a.id
       ), h AS (
         UPDATE ledger_heads SET last_seq = ?, last_hash = ?, updated_at = now()
          WHERE tenant_id = ? AND id = ?
         RETURNING id
       )
       SELECT (SELECT id FROM tx) AS id,
              (SELECT json_agg(json_build_array(id, line)) FROM ent) AS entries,
              (SELECT count(*) FROM bal)::int AS balances,
              (SELECT count(*) FROM h)::int AS heads`,
      [
        tenantId,
        MONEY_CHAIN,
        seq,
        draft.idempotencyKey,
        fingerprint,
        draft.kind,
        reversesId,
        JSON.stringify(memo),
        head.lastHash,
        hash,
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
        JSON.stringify(
          [...deltas]
            .filter(([, d]) => d !== 0n)
            .map(([id, d]) => ({ account_id: id, delta: d.toString() }))
        ),
        tenantId,
        seq,
        hash,
        tenantId,
        MONEY_CHAIN,
      ] as any[]
    )
    const written = rows[0]
    if (written.heads !== 1) throw new Error('ledger: chain head was not advanced')
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
      prevHash: head.lastHash,
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

async function lockHead(trx: TransactionClientContract, tenantId: number) {
  const { rows } = await trx.rawQuery(
    `SELECT last_seq, last_hash FROM ledger_heads WHERE tenant_id = ? AND id = ? FOR UPDATE`,
    [tenantId, MONEY_CHAIN]
  )
  if (!rows.length) return null
  return { lastSeq: Number(rows[0].last_seq), lastHash: String(rows[0].last_hash) }
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
