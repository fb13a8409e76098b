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

    // The write step (database/migrations/0006_create_ledger_write_function.ts): balances
    // locked in id order, overdraft refused, then the chain head locked LAST, link hashed,
    // transaction + entries inserted, balances and head moved.
    const { rows } = await trx.rawQuery(
      `SELECT * FROM lianka_ledger_write(?, ?, ?, ?, ?, ?, ?, ?::bigint, ?::jsonb, ?::timestamptz, ?::jsonb)`,
      [
        tenantId,
        MONEY_CHAIN,
        prefix,
        suffix,
        draft.idempotencyKey,
        fingerprint,
        draft.kind,
        reversesId,
        JSON.stringify(memo),
        createdAt.toISOString(),
        JSON.stringify(
          entries.map((e) => ({
            line: e.line,
            account_id: e.account.id,
            amount: e.amount.toString(),
            currency: e.account.currency,
          }))
        ),
      ] as any[]
    )
    const written = rows[0]

    if (!written.o_ok) {
      const account = found.accounts.find((a) => a.id === Number(written.o_short_id))
      throw new LedgerError(
        'E_LEDGER_INSUFFICIENT_FUNDS',
        account
          ? `${accountCode(account)} (${account.currency}) holds ${written.o_short_balance}, ` +
              `the transaction moves ${written.o_short_delta}`
          : 'a non-negative account would go below zero'
      )
    }
    if (written.o_tx === null) {
      // A concurrent post of the same key committed between the read and the write.
      const original = await replay()
      if (original) return original
      throw new Error('ledger: the transaction was not written')
    }
    const seq = Number(written.o_seq)
    const prevHash = String(written.o_prev_hash)
    const hash = String(written.o_hash)
    if (transactionHash(prevHash, { ...record, seq }) !== hash) {
      throw new Error('ledger: the chain link written does not verify; rolling back')
    }
    const entryIds = new Map<number, number>(
      (written.o_entries as Array<[number, number]>).map(([id, line]) => [line, Number(id)])
    )
    return {
      id: Number(written.o_tx),
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
