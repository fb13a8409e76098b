import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import { withTenant } from '#tenancy'
import { getBalance, type AccountType } from '#ledger'
import { recordPendingRevenue, settleDueLots, shopBalances } from '#ledger/settlement/index'

const DAY_MS = 86_400_000

/**
 * A paid order's revenue, posted the way checkout will: the buyer's money enters through
 * the gateway (external_world → gateway_clearing), then splits into the shop's pending
 * revenue and the platform fee; the lot is opened in the same transaction.
 */
export async function earn(
  shop: Tenant,
  net: bigint,
  options: { ref: string; daysAgo?: number; platformFee?: bigint }
) {
  const fee = options.platformFee ?? 0n
  const gross = net + fee
  const currency = shop.currency
  const clearing = { type: 'gateway_clearing' as const, subject: 'epay', currency }
  return withTenant(
    (trx) =>
      recordPendingRevenue(trx, {
        tenantId: shop.id,
        sourceRef: options.ref,
        amount: net,
        currency,
        occurredAt: new Date(Date.now() - (options.daysAgo ?? 0) * DAY_MS),
        draft: {
          tenantId: shop.id,
          idempotencyKey: `order:${options.ref}:paid`,
          kind: 'order.paid',
          postings: [
            { account: { type: 'external_world', currency }, amount: -gross },
            { account: clearing, amount: gross },
            { account: clearing, amount: -gross },
            { account: { type: 'tenant_pending', currency }, amount: net },
            ...(fee ? [{ account: { type: 'platform_fee' as const, currency }, amount: fee }] : []),
          ],
          memo: { order: options.ref },
        },
      }),
    shop.toRef()
  )
}

/** Available money without waiting: revenue 30 days old, settled at once. */
export async function fund(shop: Tenant, amount: bigint, ref = 'seed-1') {
  await earn(shop, amount, { ref, daysAgo: 30 })
  await settleDueLots(shop.toRef())
}

export function balancesOf(shop: Tenant) {
  return withTenant((trx) => shopBalances(trx, shop.id, shop.currency), shop.toRef())
}

/** One balance of any account type (platform_fee, external_world, …). */
export async function balanceOf(shop: Tenant, type: AccountType) {
  return withTenant(
    (trx) => getBalance(trx, shop.id, { type, currency: shop.currency }),
    shop.toRef()
  )
}

/** Rows of a tenant table of one shop, read through the platform role. */
export function rowsOf(table: string, shop: Tenant) {
  return db.connection('platform').from(table).where('tenant_id', shop.id).orderBy('id')
}

/** Ledger transactions of one shop of a kind. */
export function ledgerTransactions(shop: Tenant, kind: string) {
  return db
    .connection('platform')
    .from('ledger_transactions')
    .where({ tenant_id: shop.id, kind })
    .orderBy('id')
}
