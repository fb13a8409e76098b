import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import { post } from '#ledger/settlement/ledger_port'
import { toLot, type SettlementLot } from '#ledger/settlement/record_pending_revenue'

/**
 * Release one due lot (pending → available), in the caller's transaction. The lot is
 * claimed with `FOR UPDATE SKIP LOCKED`, so concurrent runs each take a different lot and
 * a lot settled by another run in the meantime is not seen again; the ledger key
 * `settle:<lot id>` makes a replay a no-op even so. Returns the lot, or null when none is due.
 */
export async function settleNextLot(
  trx: TransactionClientContract,
  tenantId: number,
  now: Date = new Date()
): Promise<SettlementLot | null> {
  const claimed = await trx.rawQuery(
    `SELECT * FROM settlement_lots
      WHERE tenant_id = ? AND settled_at IS NULL AND available_at <= ?
      ORDER BY available_at, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED`,
    [tenantId, now]
  )
  if (!claimed.rows.length) return null
  const lot = toLot(claimed.rows[0])
  // A refund may have taken part (or all) of the lot back while it was pending
  // (app/payments/refunds.ts): only the rest becomes available.
  const release = lot.amount - BigInt(claimed.rows[0].clawed_back_minor ?? 0)
  if (release <= 0n) {
    const settledAt = new Date()
    await trx
      .from('settlement_lots')
      .where({ tenant_id: tenantId, id: lot.id })
      .update({ settled_at: settledAt })
    return { ...lot, settledAt, settlementTxId: null }
  }
  const posted = await post(trx, {
    tenantId,
    idempotencyKey: `settle:${lot.id}`,
    kind: 'settlement.released',
    postings: [
      { account: { type: 'tenant_pending', currency: lot.currency }, amount: -release },
      { account: { type: 'tenant_available', currency: lot.currency }, amount: release },
    ],
    memo: { lotId: lot.id, sourceKind: lot.sourceKind, sourceRef: lot.sourceRef },
  })
  const settledAt = new Date()
  await trx
    .from('settlement_lots')
    .where({ tenant_id: tenantId, id: lot.id })
    .update({ settled_at: settledAt, settlement_tx_id: posted.id })
  return { ...lot, settledAt, settlementTxId: posted.id }
}

/**
 * Release every lot of `tenant` that is due at `now`, one transaction per lot (a failure
 * leaves the lots already released committed and the rest for the next run). Stops after
 * `limit` lots; the next scheduled run continues. Returns the released lots.
 */
export async function settleDueLots(
  tenant: TenantRef,
  options: { now?: Date; limit?: number } = {}
): Promise<SettlementLot[]> {
  const now = options.now ?? new Date()
  const limit = options.limit ?? 1000
  const settled: SettlementLot[] = []
  while (settled.length < limit) {
    const lot = await withTenant((trx) => settleNextLot(trx, tenant.id, now), tenant)
    if (!lot) break
    settled.push(lot)
  }
  return settled
}

/**
 * Shops with lots due at `now` (platform transaction: reads across shops, read-only).
 */
export async function findShopsWithDueLots(
  trx: TransactionClientContract,
  now: Date = new Date(),
  limit = 10_000
): Promise<number[]> {
  const rows = await trx
    .from('settlement_lots')
    .whereNull('settled_at')
    .where('available_at', '<=', now)
    .distinct('tenant_id')
    .orderBy('tenant_id')
    .limit(limit)
  return rows.map((row: { tenant_id: number }) => Number(row.tenant_id))
}
