import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import { findBatch } from '#delivery/stock/batches'
import { voidItems, restoreItems, type ItemSelection, type StockChange } from '#delivery/stock/void'
import { checkLowStock } from '#delivery/stock/low_stock'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { ProductNotFoundException } from '#actions/merchant/catalog/catalog'
import { lockCardProduct } from '#actions/merchant/stock/lock_card_product'

/**
 * Void unsold items (`void`) or put voided ones back on sale (`restore`): a batch of the
 * product or chosen item ids. One transaction: the conditional update, the low-stock
 * check, and — when something changed — the audit record (`stock.voided` /
 * `stock.restored` with counts, batch and product; never a secret).
 * @throws StockSelectionError (ids of another product or shop, too many) — nothing written.
 */
export async function changeStock(input: {
  member: MerchantMember
  productId: number
  action: 'void' | 'restore'
  selection: ItemSelection
  ip: string
}): Promise<StockChange> {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const product = await lockCardProduct(trx, tenant.id, input.productId)
    if ('batchId' in input.selection) {
      const batch = await findBatch(trx, tenant.id, product.id, input.selection.batchId)
      if (!batch) throw new ProductNotFoundException('No such batch')
    }
    const change =
      input.action === 'void'
        ? await voidItems(trx, tenant.id, product.id, input.selection)
        : await restoreItems(trx, tenant.id, product.id, input.selection)
    if (!change.changed) return change
    await checkLowStock(trx, tenant.id, [product.id])
    await recordTenantAudit(trx, tenant.id, {
      actor: { type: 'user', id: input.member.userId },
      action: input.action === 'void' ? 'stock.voided' : 'stock.restored',
      target: { type: 'product', id: product.id },
      ip: input.ip,
      metadata: {
        product: product.id,
        batch: 'batchId' in input.selection ? input.selection.batchId : null,
        items: 'itemIds' in input.selection ? input.selection.itemIds.length : null,
        changed: change.changed,
        skipped: change.skipped,
      },
    })
    return change
  })
}
