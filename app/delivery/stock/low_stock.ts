import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'
import { dispatch, TenantJob, type TenantJobContext } from '#jobs'
import { tenantDirectory, withTenant } from '#tenancy'
import { raiseAlert } from '#delivery/alerts/alerts'
import { notifyMerchant } from '#delivery/alerts/notify'

/** The largest threshold a merchant can set. */
export const MAX_LOW_STOCK_THRESHOLD = 1_000_000

/** What a check did, per product id. */
export interface LowStockOutcome {
  /** Products whose alert fired now (one `low_stock` alert each). */
  alerted: number[]
  /** Products above their threshold again (or without one): the alert is re-armed. */
  rearmed: number[]
}

const AVAILABLE = `
  WITH a AS (
    SELECT p.id, p.low_stock_threshold AS threshold,
           (SELECT count(*) FROM card_items ci
             WHERE ci.tenant_id = p.tenant_id AND ci.product_id = p.id
               AND ci.status = 'available')::int AS available
      FROM products p
     WHERE p.tenant_id = ? AND p.id = ANY(?::bigint[]) AND p.type = 'card'
  )`

/**
 * Compare the products' available stock with their thresholds (null or 0: off), in the
 * caller's transaction:
 *
 * - available ≤ threshold and not alerted yet → one `low_stock` alert
 *   (`data: { available, threshold }`) and `low_stock_alerted_at` set;
 * - available > threshold (or no threshold) → `low_stock_alerted_at` cleared, so the next
 *   fall alerts again.
 *
 * Race-safe: the conditional `UPDATE … WHERE low_stock_alerted_at IS NULL RETURNING`
 * decides who raises; a concurrent check waits for the row and then finds it set.
 */
export async function checkLowStock(
  trx: TransactionClientContract,
  tenantId: number,
  productIds: number[]
): Promise<LowStockOutcome> {
  const ids = [...new Set(productIds)].filter((id) => Number.isSafeInteger(id) && id > 0)
  if (!ids.length) return { alerted: [], rearmed: [] }
  const fired = await trx.rawQuery(
    `${AVAILABLE}
     UPDATE products p SET low_stock_alerted_at = now()
       FROM a
      WHERE p.tenant_id = ? AND p.id = a.id AND a.threshold > 0 AND a.available <= a.threshold
        AND p.low_stock_alerted_at IS NULL
     RETURNING p.id, a.available, a.threshold`,
    [tenantId, ids, tenantId]
  )
  const alerted: number[] = []
  const alertIds: number[] = []
  for (const row of fired.rows as { id: number; available: number; threshold: number }[]) {
    const productId = Number(row.id)
    alertIds.push(
      await raiseAlert(trx, {
        tenantId,
        kind: 'low_stock',
        productId,
        data: { available: Number(row.available), threshold: Number(row.threshold) },
      })
    )
    alerted.push(productId)
  }
  if (alertIds.length) {
    // The owners' mail goes out once the alert exists, i.e. after this transaction commits.
    trx.after('commit', async () => {
      const tenant = await tenantDirectory.findById(tenantId)
      if (tenant) await notifyMerchant(tenant, alertIds)
    })
  }
  const rearmed = await trx.rawQuery(
    `${AVAILABLE}
     UPDATE products p SET low_stock_alerted_at = NULL
       FROM a
      WHERE p.tenant_id = ? AND p.id = a.id
        AND (a.threshold IS NULL OR a.threshold = 0 OR a.available > a.threshold)
        AND p.low_stock_alerted_at IS NOT NULL
     RETURNING p.id`,
    [tenantId, ids, tenantId]
  )
  return { alerted, rearmed: rearmed.rows.map((row: { id: number }) => Number(row.id)) }
}

/**
 * Set (or clear with null / 0) a product's low-stock threshold. Returns false when the
 * product is not one of the shop's card products.
 */
export async function setLowStockThreshold(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  threshold: number | null
): Promise<boolean> {
  const value = threshold && threshold > 0 ? threshold : null
  const result = await trx.rawQuery(
    `UPDATE products SET low_stock_threshold = ?, updated_at = now()
      WHERE tenant_id = ? AND id = ? AND type = 'card'`,
    [value, tenantId, productId] as any[]
  )
  return Number(result.rowCount) === 1
}

/**
 * Re-check one product's stock after a change made elsewhere (checkouts): the lead
 * dispatches it after commit. Idempotent: the check itself only alerts once per fall.
 */
export class LowStockCheckJob extends TenantJob<{ tenantId: number; productId: number }> {
  static jobName = 'delivery.low_stock_check'

  async handle(payload: { tenantId: number; productId: number }, ctx: TenantJobContext) {
    const outcome = await withTenant(
      (trx) => checkLowStock(trx, payload.tenantId, [payload.productId]),
      ctx.tenant
    )
    if (outcome.alerted.length) ctx.logger.info({ productId: payload.productId }, 'low stock')
  }
}

/**
 * After a checkout took stock of a product down to its threshold while the alert is armed
 * (createOrder checks that cheaply): queue a {@link LowStockCheckJob}. Not deduplicated —
 * the job's conditional update raises the alert once however many checkouts queue it.
 * Never throws: the order is already placed.
 */
export async function queueLowStockCheck(tenantId: number, productId: number) {
  try {
    await dispatch(LowStockCheckJob, { tenantId, productId })
  } catch (error) {
    logger.error(
      { tenantId, productId, err: (error as Error).message },
      'low-stock check not queued'
    )
  }
}
