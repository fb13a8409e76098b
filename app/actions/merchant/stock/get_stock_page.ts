import { requireTenant, withTenant } from '#tenancy'
import { findProduct, availableStockByProduct } from '#delivery'
import { findBatch, listBatchItems, listBatches } from '#delivery/stock/batches'
import { ProductNotFoundException } from '#actions/merchant/catalog/catalog'

/** Whether a product with this threshold and available stock is low (threshold 0/null: off). */
export function isLowStock(threshold: number | null, available: number) {
  return threshold !== null && threshold > 0 && available <= threshold
}

/** What the stock page shows: the product, its batches with counts, totals, low-stock state. */
export async function getStockPage(productId: number) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const product = await findProduct(trx, tenant.id, productId)
    if (!product) throw new ProductNotFoundException('No such product')
    const { batches, totals, more } = await listBatches(trx, tenant.id, product.id)
    return {
      product,
      batches,
      totals,
      moreBatches: more,
      lowStock: isLowStock(product.lowStockThreshold, totals.available),
    }
  })
}

/** One batch and a page of its items (ids and statuses, never secrets). */
export async function getBatchItems(productId: number, batchId: number, afterId = 0) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const product = await findProduct(trx, tenant.id, productId)
    if (!product) throw new ProductNotFoundException('No such product')
    const batch = await findBatch(trx, tenant.id, product.id, batchId)
    if (!batch) throw new ProductNotFoundException('No such batch')
    const page = await listBatchItems(trx, tenant.id, product.id, batch.id, { afterId })
    return { product, batch, ...page }
  })
}

/** Ids of the shop's card products that are at or below their low-stock threshold. */
export async function lowStockProductIds(): Promise<Set<number>> {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const rows = await trx
      .from('products')
      .where({ tenant_id: tenant.id, type: 'card' })
      .where('low_stock_threshold', '>', 0)
      .select('id', 'low_stock_threshold')
    const ids = rows.map((row: { id: number }) => Number(row.id))
    const stock = await availableStockByProduct(trx, tenant.id, ids)
    return new Set(
      rows
        .filter((row: { id: number; low_stock_threshold: number }) =>
          isLowStock(Number(row.low_stock_threshold), stock.get(Number(row.id)) ?? 0)
        )
        .map((row: { id: number }) => Number(row.id))
    )
  })
}

/** The shop's card product (for forms that need its currency). */
export async function getCardProduct(productId: number) {
  const tenant = requireTenant()
  return withTenant(async (trx) => {
    const product = await findProduct(trx, tenant.id, productId)
    if (!product) throw new ProductNotFoundException('No such product')
    return product
  })
}
