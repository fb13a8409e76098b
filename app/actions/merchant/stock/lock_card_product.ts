import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { findProduct, type Product } from '#delivery'
import { ProductNotFoundException, NotCardProductError } from '#actions/merchant/catalog/catalog'

/**
 * The shop's card product whose stock is about to change, locked `FOR NO KEY UPDATE`: stock
 * operations of one product (imports, voids, restores) run one after the other, so their
 * low-stock check never deadlocks with another's; checkouts only take a key-share lock on
 * the product (foreign keys) and are not blocked.
 * @throws ProductNotFoundException (another shop's id too), NotCardProductError
 */
export async function lockCardProduct(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number
): Promise<Product> {
  await trx.rawQuery(`SELECT id FROM products WHERE tenant_id = ? AND id = ? FOR NO KEY UPDATE`, [
    tenantId,
    productId,
  ])
  const product = await findProduct(trx, tenantId, productId)
  if (!product) throw new ProductNotFoundException('No such product')
  if (product.type !== 'card') throw new NotCardProductError()
  return product
}
