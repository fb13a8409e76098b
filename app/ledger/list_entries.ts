import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { LedgerError } from '#ledger/core/errors'
import { validateAccountRef } from '#ledger/core/validate'
import type { AccountType } from '#ledger/core/types'
import type { EntryPage, ListEntriesOptions } from '#ledger/types'
import { assertTenant, toBigInt } from '#ledger/sql'

/**
 * A page of the shop's entries (optionally of one account, optionally in a time window of
 * transaction `created_at`, `from` inclusive, `to` exclusive), oldest first. Entry ids grow
 * with the chain within a shop (entries are inserted under the chain lock), so the cursor is
 * the last entry id: stable under concurrent posting, no offsets.
 */
export async function listEntries(
  trx: TransactionClientContract,
  tenantId: number,
  options: ListEntriesOptions = {}
): Promise<EntryPage> {
  const limit = options.limit ?? 100
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'limit must be an integer in 1..1000')
  }
  let after = 0
  if (options.cursor !== undefined && options.cursor !== null) {
    if (!/^[0-9]{1,15}$/.test(options.cursor)) {
      throw new LedgerError('E_LEDGER_INVALID_DRAFT', 'invalid cursor')
    }
    after = Number(options.cursor)
  }
  await assertTenant(trx, tenantId)

  const where: string[] = ['e.tenant_id = ?', 'e.id > ?']
  const bindings: unknown[] = [tenantId, after]
  if (options.accountId !== undefined) {
    where.push('e.account_id = ?')
    bindings.push(options.accountId)
  }
  if (options.account) {
    const ref = validateAccountRef(options.account)
    where.push('a.type = ? AND a.subject = ? AND a.currency = ?::char(3)')
    bindings.push(ref.type, ref.subject, ref.currency)
  }
  if (options.from) {
    where.push('t.created_at >= ?')
    bindings.push(options.from.toISOString())
  }
  if (options.to) {
    where.push('t.created_at < ?')
    bindings.push(options.to.toISOString())
  }
  bindings.push(limit + 1)

  const { rows } = await trx.rawQuery(
    `SELECT e.id, e.transaction_id, t.seq, t.kind, e.line, e.account_id, a.type, a.subject,
            a.currency, e.amount::text AS amount, t.reverses_id, t.memo, t.created_at
       FROM ledger_entries e
       JOIN ledger_transactions t ON t.tenant_id = e.tenant_id AND t.id = e.transaction_id
       JOIN ledger_accounts a ON a.tenant_id = e.tenant_id AND a.id = e.account_id
      WHERE ${where.join(' AND ')}
      ORDER BY e.id
      LIMIT ?`,
    bindings as any[]
  )
  const page = rows.slice(0, limit)
  return {
    entries: page.map((r: any) => ({
      id: Number(r.id),
      transactionId: Number(r.transaction_id),
      seq: Number(r.seq),
      kind: r.kind,
      line: Number(r.line),
      accountId: Number(r.account_id),
      account: { type: r.type as AccountType, subject: r.subject, currency: String(r.currency) },
      amount: toBigInt(r.amount),
      reversesId: r.reverses_id === null ? null : Number(r.reverses_id),
      memo: r.memo ?? {},
      createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at),
    })),
    nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null,
  }
}
