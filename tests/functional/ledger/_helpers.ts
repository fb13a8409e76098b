import db from '@adonisjs/lucid/services/db'
import { withTenant, type TenantRef } from '#tenancy'
import type { AccountRef, Posting, TransactionDraft } from '#ledger'
import { truncateAll } from '#tests/helpers/database'

/** New active shops (after emptying every table). */
export async function seedShops(count = 2): Promise<TenantRef[]> {
  await truncateAll()
  const rows = await db
    .connection('owner')
    .table('tenants')
    .insert(
      Array.from({ length: count }, (_, i) => ({
        slug: `ledger-${String.fromCharCode(97 + i)}`,
        name: `Ledger ${i}`,
        status: 'active',
      }))
    )
    .returning(['id', 'slug', 'name', 'status', 'default_locale', 'currency'])
  return rows.map((row) => ({
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    status: row.status,
    defaultLocale: row.default_locale,
    currency: row.currency,
  }))
}

export const CNY = 'CNY'
export const acct = (type: AccountRef['type'], subject = '', currency = CNY): AccountRef => ({
  type,
  subject,
  currency,
})
export const WORLD = acct('external_world')
export const CLEARING = acct('gateway_clearing', 'epay')
export const PENDING = acct('tenant_pending')
export const AVAILABLE = acct('tenant_available')
export const FEE = acct('platform_fee')
export const PAYABLE = acct('tenant_withdrawal_payable')

export const p = (account: AccountRef, amount: bigint): Posting => ({ account, amount })

/** A sale: buyer pays `gross` into gateway clearing, then clearing → pending + platform fee. */
export function saleDraft(tenantId: number, key: string, gross: bigint, fee = gross / 10n) {
  return {
    tenantId,
    idempotencyKey: key,
    kind: 'order.paid',
    memo: { order: key },
    postings: [p(WORLD, -gross), p(PENDING, gross - fee), p(FEE, fee)],
  } satisfies TransactionDraft
}

/** Row counts of the ledger tables, read as the owner (RLS forced: per shop). */
export async function ledgerCounts(tenantId: number) {
  return db.connection('owner').transaction(async (trx) => {
    await trx.rawQuery(`SET LOCAL app.tenant_id = '${tenantId}'`)
    const { rows } = await trx.rawQuery(
      `SELECT (SELECT count(*) FROM ledger_transactions)::int AS transactions,
              (SELECT count(*) FROM ledger_entries)::int AS entries,
              (SELECT count(*) FROM ledger_accounts)::int AS accounts,
              (SELECT coalesce(max(last_seq), 0) FROM ledger_heads)::int AS head`
    )
    return rows[0] as { transactions: number; entries: number; accounts: number; head: number }
  })
}

/** Run `fn` in the shop's unit of work. */
export const inShop = withTenant
