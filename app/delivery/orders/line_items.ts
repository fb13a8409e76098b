import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { encryptSecret, getDataKey, secretHash } from '#delivery/secrets/index'
import { orderEvent } from '#delivery/orders/admin_support'

/**
 * Deliver one outstanding line with items that did not come from stock (typed by the
 * merchant, or answered by a delivery source), in the caller's transaction under the order
 * lock: the items are encrypted with the shop's data key and stored as `card_items` sold to
 * the line (so the buyer's order page reveals them through the usual audited path), the
 * delivery gets `delivered_at`, a `fulfilled` event is recorded and, once nothing else is
 * outstanding, the order becomes `delivered`. `hashInput` salts each item's keyed hash
 * (e.g. with the line), since the same text may rightly go to two buyers.
 */
export async function deliverLineItems(
  trx: TransactionClientContract,
  input: {
    tenantId: number
    orderId: number
    productId: number
    lineId: number
    deliveryId: number
    items: string[]
    hashInput: (item: string) => string
    /** Extra facts for the `fulfilled` event (never a secret). */
    event?: Record<string, unknown>
  }
): Promise<{ delivered: boolean }> {
  const { tenantId, orderId, lineId, items } = input
  const key = await getDataKey(trx, tenantId)
  await trx.table('card_items').multiInsert(
    items.map((item) => {
      const { ciphertext, keyVersion } = encryptSecret(key, item)
      return {
        tenant_id: tenantId,
        product_id: input.productId,
        status: 'sold',
        secret_ciphertext: ciphertext,
        secret_hash: secretHash(key, input.hashInput(item)),
        key_version: keyVersion,
        reserved_order_id: orderId,
        reserved_at: trx.raw('now()'),
        sold_line_id: lineId,
        sold_at: trx.raw('now()'),
      }
    })
  )
  await trx
    .from('deliveries')
    .where({ tenant_id: tenantId, id: input.deliveryId })
    .update({ delivered_at: trx.raw('now()'), item_count: items.length })
  const outstanding = await trx
    .from('deliveries')
    .where({ tenant_id: tenantId, order_id: orderId })
    .whereNull('delivered_at')
    .first()
  await orderEvent(trx, tenantId, orderId, 'fulfilled', {
    items: items.length,
    lineId,
    ...input.event,
  })
  if (!outstanding) {
    await trx
      .from('orders')
      .where({ tenant_id: tenantId, id: orderId })
      .update({ status: 'delivered', delivered_at: trx.raw('now()'), updated_at: trx.raw('now()') })
    await orderEvent(trx, tenantId, orderId, 'delivered', { items: items.length })
  }
  return { delivered: !outstanding }
}
