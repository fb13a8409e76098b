import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import { listEntries } from '#ledger'
import type { StatementQuery } from '#ledger/statements/statement_query'

/** One entry of the account in the period, with the balance after it. */
export interface StatementLine {
  entryId: number
  transactionId: number
  /** The transaction's position in the shop's ledger chain. */
  seq: number
  at: Date
  kind: string
  /** Short text from the transaction memo (`key: value · …`). */
  memo: string
  /** Signed minor units: + into the account, - out of it. */
  amount: bigint
  balance: bigint
}

export interface Statement {
  query: StatementQuery
  /** Sum of the account's entries before the period. */
  opening: bigint
  /** opening + every entry in the period. */
  closing: bigint
  /** Sum of the positive entries in the period (money in). */
  moneyIn: bigint
  /** Sum of the negative entries in the period (money out, ≤ 0). */
  moneyOut: bigint
  /** Entries in the period (all of them, also when `lines` is cut). */
  count: number
  /** The first `maxLines` entries, oldest first. */
  lines: StatementLine[]
  /** More entries than `lines` holds: the CSV export has them all. */
  truncated: boolean
}

/** Entries shown on the statement page; the CSV export streams every entry. */
export const STATEMENT_PAGE_LINES = 500
const CSV_BATCH = 1000
const MEMO_CHARS = 160

/**
 * The statement of one account of the shop: opening balance (every entry before `from`),
 * the entries of the period with a running balance, closing balance. Entries belong to
 * the period by their transaction's `created_at` (UTC days); order is the ledger order.
 * Runs in one `withTenant` transaction, so RLS keeps it to this shop. An account that has
 * never been used is a statement of zeros, not an error.
 */
export async function getStatement(
  tenant: TenantRef,
  query: StatementQuery,
  maxLines = STATEMENT_PAGE_LINES
): Promise<Statement> {
  return withTenant(async (trx) => {
    const accountId = await findAccountId(trx, query)
    const empty: Statement = {
      query,
      opening: 0n,
      closing: 0n,
      moneyIn: 0n,
      moneyOut: 0n,
      count: 0,
      lines: [],
      truncated: false,
    }
    if (accountId === null) return empty
    const opening = await balanceBefore(trx, accountId, query.period.start)
    const rows = await entriesAfter(trx, tenant.id, accountId, query, 0, maxLines + 1)
    const truncated = rows.length > maxLines
    const lines = withRunningBalance(rows.slice(0, maxLines), opening)
    const totals = truncated ? await periodTotals(trx, accountId, query) : totalsOf(rows)
    return {
      ...empty,
      opening,
      closing: opening + totals.moneyIn + totals.moneyOut,
      ...totals,
      lines,
      truncated,
    }
  }, tenant)
}

/**
 * Every line of the statement, oldest first, fetched in batches of short `withTenant`
 * transactions (keyset on the entry id) so a long export holds no transaction open while
 * the client reads. Yields the opening balance first, then each line; the caller adds
 * the closing balance (the last line's balance, or the opening balance).
 */
export async function* statementLines(
  tenant: TenantRef,
  query: StatementQuery,
  batchSize = CSV_BATCH
): AsyncGenerator<{ opening: bigint } | StatementLine> {
  const first = await withTenant(async (trx) => {
    const accountId = await findAccountId(trx, query)
    if (accountId === null) return null
    return { accountId, opening: await balanceBefore(trx, accountId, query.period.start) }
  }, tenant)
  yield { opening: first?.opening ?? 0n }
  if (!first) return
  let balance = first.opening
  let after = 0
  for (;;) {
    const rows = await withTenant(
      (trx) => entriesAfter(trx, tenant.id, first.accountId, query, after, batchSize),
      tenant
    )
    for (const line of withRunningBalance(rows, balance)) {
      balance = line.balance
      yield line
    }
    if (rows.length < batchSize) return
    after = rows[rows.length - 1].entryId
  }
}

type RawLine = Omit<StatementLine, 'balance'>

function withRunningBalance(rows: RawLine[], opening: bigint): StatementLine[] {
  let balance = opening
  return rows.map((row) => {
    balance += row.amount
    return { ...row, balance }
  })
}

function totalsOf(rows: RawLine[]) {
  let moneyIn = 0n
  let moneyOut = 0n
  for (const row of rows) {
    if (row.amount > 0n) moneyIn += row.amount
    else moneyOut += row.amount
  }
  return { moneyIn, moneyOut, count: rows.length }
}

async function findAccountId(
  trx: TransactionClientContract,
  query: StatementQuery
): Promise<number | null> {
  const row = await trx
    .from('ledger_accounts')
    .select('id')
    .where({ type: query.account, subject: '', currency: query.currency })
    .first()
  return row ? Number(row.id) : null
}

async function balanceBefore(
  trx: TransactionClientContract,
  accountId: number,
  start: Date
): Promise<bigint> {
  const result = await trx.rawQuery(
    `SELECT COALESCE(SUM(e.amount), 0)::text AS total
       FROM ledger_entries e
       JOIN ledger_transactions t ON t.tenant_id = e.tenant_id AND t.id = e.transaction_id
      WHERE e.account_id = ? AND t.created_at < ?`,
    [accountId, start]
  )
  return BigInt(result.rows[0].total)
}

async function periodTotals(
  trx: TransactionClientContract,
  accountId: number,
  query: StatementQuery
) {
  const result = await trx.rawQuery(
    `SELECT COALESCE(SUM(e.amount) FILTER (WHERE e.amount > 0), 0)::text AS money_in,
            COALESCE(SUM(e.amount) FILTER (WHERE e.amount < 0), 0)::text AS money_out,
            COUNT(*)::int AS count
       FROM ledger_entries e
       JOIN ledger_transactions t ON t.tenant_id = e.tenant_id AND t.id = e.transaction_id
      WHERE e.account_id = ? AND t.created_at >= ? AND t.created_at < ?`,
    [accountId, query.period.start, query.period.end]
  )
  const row = result.rows[0]
  return { moneyIn: BigInt(row.money_in), moneyOut: BigInt(row.money_out), count: row.count }
}

/** One batch of the account's entries in the period, after entry `afterEntryId` (the ledger's listEntries). */
async function entriesAfter(
  trx: TransactionClientContract,
  tenantId: number,
  accountId: number,
  query: StatementQuery,
  afterEntryId: number,
  limit: number
): Promise<RawLine[]> {
  const page = await listEntries(trx, tenantId, {
    accountId,
    from: query.period.start,
    to: query.period.end,
    limit,
    cursor: afterEntryId ? String(afterEntryId) : null,
  })
  return page.entries.map((entry) => ({
    entryId: entry.id,
    transactionId: entry.transactionId,
    seq: entry.seq,
    at: entry.createdAt,
    kind: entry.kind,
    memo: memoSummary(entry.memo),
    amount: entry.amount,
  }))
}

/** `key: value · key: value`, cut to a readable length (memos are short and non-secret). */
export function memoSummary(memo: unknown): string {
  if (!memo || typeof memo !== 'object') return ''
  const text = Object.entries(memo as Record<string, unknown>)
    .map(([key, value]) => `${key}: ${value === null ? '—' : String(value)}`)
    .join(' · ')
  return text.length > MEMO_CHARS ? `${text.slice(0, MEMO_CHARS - 1)}…` : text
}
