import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { setTenantOn } from '#tenancy'
import { GENESIS_HASH } from '#ledger/core/canonical'
import { accountCode, draftFingerprint } from '#ledger/core/validate'
import { transactionHash, transactionRecord } from '#ledger/core/record'
import { NON_NEGATIVE, type AccountType } from '#ledger/core/types'
import { LedgerError } from '#ledger/core/errors'
import { MONEY_CHAIN, toBigInt } from '#ledger/sql'

/** One thing `verifyLedger` found wrong. */
export interface LedgerProblem {
  tenantId: number
  tenantSlug: string
  /** The chain position of the bad transaction (null for account and head problems). */
  seq: number | null
  transactionId: number | null
  /** Set when the problem is an account's balance or flag. */
  accountId?: number
  reason: string
}

export interface LedgerVerification {
  ok: boolean
  checked: { tenants: number; transactions: number; entries: number; accounts: number }
  /** The first problem: lowest shop id, then lowest seq (chain before accounts and head). */
  firstProblem?: LedgerProblem
  /** Up to `maxProblems` problems, in the same order. */
  problems: LedgerProblem[]
  durationMs: number
}

export interface VerifyOptions {
  /** Only this shop. */
  tenantSlug?: string
  /** Transactions read per round trip (default 2000). */
  batchSize?: number
  /** Stop collecting after this many problems (default 100); checking goes on. */
  maxProblems?: number
}

interface TxRow {
  id: number
  seq: number
  head_id: number
  idempotency_key: string
  fingerprint: string
  kind: string
  reverses_id: number | null
  memo: Record<string, string | number | boolean | null>
  prev_hash: string
  hash: string
  created_at: Date
}

interface EntryRow {
  transaction_id: number
  id: number
  line: number
  account_id: number
  amount: string
  currency: string
  type: AccountType
  subject: string
  account_currency: string
}

const NON_NEGATIVE_LIST = [...NON_NEGATIVE].map((t) => `'${t}'`).join(', ')

/**
 * Recompute every shop's chain from genesis in seq order and check every invariant
 * (MONEY.md §3.2): seq gap-free from 1; each prev_hash is the previous link's hash; each hash
 * and fingerprint recomputes; ≥ 2 entries, non-zero amounts, lines 1..n, entry currency =
 * account currency, zero sum per currency; a reversal is the exact opposite of an earlier
 * transaction; the head equals the last link; each balance equals the sum of its entries;
 * non-negative accounts are flagged as their type says and are not below zero; balances sum
 * to zero per currency.
 *
 * Each shop is read in its own REPEATABLE READ, READ ONLY transaction on the app role with
 * the shop set (RLS applies; no cross-tenant role needed), so the chain and the balances are
 * one consistent snapshot even while the shop keeps posting. Transactions are streamed in
 * batches by seq; nothing is held in memory beyond one batch.
 */
export async function verifyLedger(options: VerifyOptions = {}): Promise<LedgerVerification> {
  const started = performance.now()
  const batchSize = options.batchSize ?? 2000
  const maxProblems = options.maxProblems ?? 100
  const app = db.connection('app')
  const tenants = options.tenantSlug
    ? await app.from('tenants').select('id', 'slug').where('slug', options.tenantSlug)
    : await app.from('tenants').select('id', 'slug').orderBy('id')
  if (options.tenantSlug && !tenants.length) {
    throw new LedgerError('E_LEDGER_NOT_FOUND', `no shop with slug ${options.tenantSlug}`)
  }

  const report: LedgerVerification = {
    ok: true,
    checked: { tenants: 0, transactions: 0, entries: 0, accounts: 0 },
    problems: [],
    durationMs: 0,
  }
  for (const tenant of tenants) {
    const tenantId = Number(tenant.id)
    const add = (p: Omit<LedgerProblem, 'tenantId' | 'tenantSlug'>) => {
      report.ok = false
      if (report.problems.length < maxProblems) {
        report.problems.push({ tenantId, tenantSlug: tenant.slug, ...p })
      }
    }
    await app.transaction(
      async (trx) => {
        await setTenantOn(trx, tenantId)
        await trx.rawQuery('SET TRANSACTION READ ONLY')
        await verifyTenant(trx, tenantId, batchSize, report, add)
      },
      { isolationLevel: 'repeatable read' }
    )
    report.checked.tenants++
  }
  report.firstProblem = report.problems[0]
  report.durationMs = performance.now() - started
  return report
}

async function verifyTenant(
  trx: TransactionClientContract,
  tenantId: number,
  batchSize: number,
  report: LedgerVerification,
  add: (p: Omit<LedgerProblem, 'tenantId' | 'tenantSlug'>) => void
) {
  let prevHash = GENESIS_HASH
  let lastSeq = 0
  for (;;) {
    const { rows: txs } = (await trx.rawQuery(
      `SELECT id, seq, head_id, idempotency_key, fingerprint, kind, reverses_id, memo, prev_hash,
              hash, created_at
         FROM ledger_transactions WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      [tenantId, lastSeq, batchSize]
    )) as { rows: TxRow[] }
    if (!txs.length) break
    const { rows: entryRows } = (await trx.rawQuery(
      `SELECT e.transaction_id, e.id, e.line, e.account_id, e.amount::text AS amount, e.currency,
              a.type, a.subject, a.currency AS account_currency
         FROM ledger_transactions t
         JOIN ledger_entries e ON e.tenant_id = t.tenant_id AND e.transaction_id = t.id
         JOIN ledger_accounts a ON a.tenant_id = e.tenant_id AND a.id = e.account_id
        WHERE t.tenant_id = ? AND t.seq > ? AND t.seq <= ?
        ORDER BY e.transaction_id, e.line`,
      [tenantId, lastSeq, Number(txs[txs.length - 1].seq)]
    )) as { rows: EntryRow[] }
    const byTx = new Map<number, EntryRow[]>()
    for (const e of entryRows) {
      const id = Number(e.transaction_id)
      let list = byTx.get(id)
      if (!list) byTx.set(id, (list = []))
      list.push(e)
    }
    report.checked.entries += entryRows.length

    for (const tx of txs) {
      const seq = Number(tx.seq)
      const id = Number(tx.id)
      const entries = byTx.get(id) ?? []
      const reasons = await checkTransaction(trx, tenantId, tx, entries, lastSeq + 1, prevHash)
      if (reasons.length) add({ seq, transactionId: id, reason: reasons.join('; ') })
      prevHash = String(tx.hash)
      lastSeq = seq
      report.checked.transactions++
    }
  }

  // The head: the anchor of the chain's tail (deleting the last links shows up here).
  const { rows: heads } = await trx.rawQuery(
    `SELECT id, last_seq, last_hash FROM ledger_heads WHERE tenant_id = ? ORDER BY id`,
    [tenantId]
  )
  const head = heads.find((h: any) => Number(h.id) === MONEY_CHAIN)
  for (const other of heads.filter((h: any) => Number(h.id) !== MONEY_CHAIN)) {
    add({ seq: null, transactionId: null, reason: `unexpected chain head ${other.id}` })
  }
  const headSeq = head ? Number(head.last_seq) : 0
  const headHash = head ? String(head.last_hash) : GENESIS_HASH
  if (headSeq !== lastSeq || headHash !== prevHash) {
    add({
      seq: headSeq,
      transactionId: null,
      reason:
        `chain head says seq ${headSeq} hash ${headHash.slice(0, 12)}…, ` +
        `the chain ends at seq ${lastSeq} hash ${prevHash.slice(0, 12)}…`,
    })
  }

  // Balances = fold(entries); non-negative flags and floors.
  const { rows: bad } = await trx.rawQuery(
    `SELECT a.id, a.type, a.subject, a.currency, a.non_negative, a.balance::text AS balance,
            COALESCE(s.total, 0)::text AS total
       FROM ledger_accounts a
       LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entries
                   WHERE tenant_id = ? GROUP BY account_id) s ON s.account_id = a.id
      WHERE a.tenant_id = ?
        AND (a.balance <> COALESCE(s.total, 0)
             OR (a.non_negative AND a.balance < 0)
             OR a.non_negative <> (a.type IN (${NON_NEGATIVE_LIST})))
      ORDER BY a.id`,
    [tenantId, tenantId]
  )
  for (const a of bad) {
    const code = accountCode({ type: a.type, subject: a.subject, currency: a.currency })
    const reasons: string[] = []
    if (a.balance !== a.total) {
      reasons.push(`balance ${a.balance} but its entries sum to ${a.total}`)
    }
    if (a.non_negative && toBigInt(a.balance) < 0n) reasons.push(`non-negative but ${a.balance}`)
    if (Boolean(a.non_negative) !== NON_NEGATIVE.has(a.type)) {
      reasons.push(`non_negative flag is ${a.non_negative}, its type says ${!a.non_negative}`)
    }
    add({
      seq: null,
      transactionId: null,
      accountId: Number(a.id),
      reason: `account ${a.id} ${code} ${a.currency}: ${reasons.join('; ')}`,
    })
  }
  const { rows: totals } = await trx.rawQuery(
    `SELECT currency, sum(balance)::text AS total, count(*)::int AS n FROM ledger_accounts
      WHERE tenant_id = ? GROUP BY currency ORDER BY currency`,
    [tenantId]
  )
  for (const t of totals) {
    report.checked.accounts += Number(t.n)
    if (toBigInt(t.total) !== 0n) {
      add({
        seq: null,
        transactionId: null,
        reason: `balances in ${t.currency} sum to ${t.total}, not 0`,
      })
    }
  }
}

async function checkTransaction(
  trx: TransactionClientContract,
  tenantId: number,
  tx: TxRow,
  entries: EntryRow[],
  expectedSeq: number,
  prevHash: string
): Promise<string[]> {
  const reasons: string[] = []
  const seq = Number(tx.seq)
  if (seq !== expectedSeq) reasons.push(`seq gap: expected ${expectedSeq}, found ${seq}`)
  if (String(tx.prev_hash) !== prevHash) {
    reasons.push(`prev_hash does not link to the hash of seq ${seq - 1}`)
  }
  if (Number(tx.head_id) !== MONEY_CHAIN) reasons.push(`head_id ${tx.head_id} is not the chain`)
  if (entries.length < 2) reasons.push(`${entries.length} entries (at least 2 required)`)
  const sums = new Map<string, bigint>()
  entries.forEach((e, i) => {
    const amount = toBigInt(e.amount)
    if (amount === 0n) reasons.push(`entry ${e.id} has amount 0`)
    if (Number(e.line) !== i + 1) reasons.push(`entry ${e.id} is line ${e.line}, expected ${i + 1}`)
    if (String(e.currency) !== String(e.account_currency)) {
      reasons.push(`entry ${e.id} in ${e.currency} on a ${e.account_currency} account`)
    }
    sums.set(e.currency, (sums.get(e.currency) ?? 0n) + amount)
  })
  for (const [currency, sum] of sums) {
    if (sum !== 0n) reasons.push(`entries in ${currency} sum to ${sum}, not 0`)
  }

  const memo = tx.memo ?? {}
  const reversesId = tx.reverses_id === null ? null : Number(tx.reverses_id)
  const postings = entries.map((e) => ({
    account: { type: e.type, subject: e.subject, currency: String(e.account_currency) },
    amount: toBigInt(e.amount),
  }))
  let fingerprint: string | null = null
  try {
    fingerprint = draftFingerprint({
      tenantId,
      idempotencyKey: tx.idempotency_key,
      kind: tx.kind,
      reversesId,
      memo,
      postings,
    })
  } catch (error) {
    reasons.push(`entries do not form a valid draft (${(error as Error).message})`)
  }
  if (fingerprint !== null && fingerprint !== String(tx.fingerprint)) {
    reasons.push('fingerprint does not match the stored payload')
  }
  const record = transactionRecord({
    tenantId,
    seq,
    idempotencyKey: tx.idempotency_key,
    fingerprint: String(tx.fingerprint),
    kind: tx.kind,
    reversesId,
    memo,
    createdAt: new Date(tx.created_at).toISOString(),
    entries: entries.map((e) => ({
      line: Number(e.line),
      accountId: Number(e.account_id),
      account: accountCode({ type: e.type, subject: e.subject, currency: e.account_currency }),
      currency: String(e.account_currency),
      amount: toBigInt(e.amount),
    })),
  })
  if (transactionHash(String(tx.prev_hash), record) !== String(tx.hash)) {
    reasons.push('hash does not match the stored transaction and entries (tampered?)')
  }

  if (reversesId !== null) {
    const { rows } = await trx.rawQuery(
      `SELECT t.seq, a.type, a.subject, a.currency, e.amount::text AS amount
         FROM ledger_transactions t
         JOIN ledger_entries e ON e.tenant_id = t.tenant_id AND e.transaction_id = t.id
         JOIN ledger_accounts a ON a.tenant_id = e.tenant_id AND a.id = e.account_id
        WHERE t.tenant_id = ? AND t.id = ?`,
      [tenantId, reversesId]
    )
    if (!rows.length) reasons.push(`reverses transaction ${reversesId}, which has no entries`)
    else if (Number(rows[0].seq) >= seq) reasons.push(`reverses a later transaction`)
    else {
      const sig = (list: Array<{ code: string; amount: bigint }>) =>
        list
          .map((p) => `${p.code}|${p.amount}`)
          .sort()
          .join('\n')
      const undo = sig(
        rows.map((r: any) => ({
          code: `${accountCode({ type: r.type, subject: r.subject, currency: r.currency })}|${r.currency}`,
          amount: -toBigInt(r.amount),
        }))
      )
      const given = sig(
        postings.map((p) => ({
          code: `${accountCode(p.account)}|${p.account.currency}`,
          amount: p.amount,
        }))
      )
      if (undo !== given) reasons.push(`not the exact opposite of transaction ${reversesId}`)
    }
  }
  return reasons
}
