import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import { checkLowStock, setLowStockThreshold } from '#delivery/stock/low_stock'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { lockCardProduct } from '#actions/merchant/stock/lock_card_product'

/**
 * Set the product's low-stock threshold (null = off) and check the stock against it at
 * once (an alert fires now if the stock is already at or below it). Audited
 * `product.low_stock_threshold_changed` with before/after; an unchanged value writes nothing.
 */
export async function setLowStockThresholdOf(input: {
  member: MerchantMember
  productId: number
  threshold: number | null
  ip: string
}) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const product = await lockCardProduct(trx, tenant.id, input.productId)
    if (product.lowStockThreshold === input.threshold) return
    await setLowStockThreshold(trx, tenant.id, product.id, input.threshold)
    await checkLowStock(trx, tenant.id, [product.id])
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: input.member.userId },
      action: 'product.low_stock_threshold_changed',
      target: { type: 'product', id: product.id },
      ip: input.ip,
      metadata: { before: product.lowStockThreshold, after: input.threshold },
    })
  })
}
