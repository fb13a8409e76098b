import { withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { claimItems } from '#delivery/stock/reservations'
import { OrderDeskError, checkId, checkReason } from '#delivery/orders/admin_errors'
import { lockOrderRow, orderEvent, queueNoticeMail } from '#delivery/orders/admin_support'

export interface ReplaceCardItem {
  tenant: TenantRef
  /** The merchant user doing it. */
  actor: { type: 'user'; id: number }
  orderId: number
  /** The bad key: a card item sold to this order. */
  itemId: number
  /** Why (what the buyer reported): required, kept in the audit record. */
  reason: string
  ip?: string | null
}

export interface ReplacedItem {
  orderId: number
  orderNo: string
  oldItemId: number
  newItemId: number
}

/**
 * Replace a key the buyer reported bad, in one unit of work:
 *
 * 1. lock the order (`FOR UPDATE`): two replaces of the same order queue here, so the
 *    second sees the item already burned and is refused (`E_ITEM_NOT_REPLACEABLE`);
 * 2. the item must be `sold` to this order (a burned, available or other order's item is
 *    refused);
 * 3. claim one available item of the same product (`claimItems`, SKIP LOCKED) — none:
 *    `E_REPLACEMENT_OUT_OF_STOCK`, and the rollback leaves everything as it was;
 * 4. the new item becomes `sold` to the same line; the old one `burned` (it keeps its order
 *    and line, so the history shows which key was replaced, and never returns to stock);
 * 5. `item_replaced` event `{ oldItemId, newItemId }`; last, the audit record
 *    `order.item_replaced` with the reason (never a secret).
 *
 * After commit the buyer is mailed (the mail names the order, never a key).
 */
export async function replaceCardItem(input: ReplaceCardItem): Promise<ReplacedItem> {
  const reason = checkReason(input.reason)
  const orderId = checkId(input.orderId)
  const itemId = checkId(input.itemId, 'E_ITEM_NOT_REPLACEABLE')
  const tenantId = input.tenant.id
  const result = await withTenant(async (trx) => {
    const order = await lockOrderRow(trx, tenantId, orderId)
    const { rows } = await trx.rawQuery(
      `SELECT id, product_id, sold_line_id, status FROM card_items
        WHERE tenant_id = ? AND id = ? AND reserved_order_id = ? FOR UPDATE`,
      [tenantId, itemId, order.id]
    )
    const old = rows[0]
    if (!old || old.status !== 'sold') {
      throw new OrderDeskError('E_ITEM_NOT_REPLACEABLE', 'the item is not a key sold to this order')
    }
    const [newItemId] = await claimItems(trx, tenantId, Number(old.product_id), order.id, 1)
    if (!newItemId) {
      throw new OrderDeskError('E_REPLACEMENT_OUT_OF_STOCK', 'no stock to replace the item with')
    }
    const sold = await trx.rawQuery(
      `UPDATE card_items SET status = 'sold', sold_line_id = ?, sold_at = now()
        WHERE tenant_id = ? AND id = ? AND status = 'reserved' AND reserved_order_id = ?`,
      [old.sold_line_id, tenantId, newItemId, order.id]
    )
    const burned = await trx.rawQuery(
      `UPDATE card_items SET status = 'burned', burned_at = now()
        WHERE tenant_id = ? AND id = ? AND status = 'sold'`,
      [tenantId, itemId]
    )
    if (sold.rowCount !== 1 || burned.rowCount !== 1) {
      throw new Error('E_REPLACE_INCONSISTENT: the item changed under the order lock')
    }
    await orderEvent(trx, tenantId, order.id, 'item_replaced', { oldItemId: itemId, newItemId })
    await recordTenantAudit(trx, tenantId, {
      actor: input.actor,
      action: 'order.item_replaced',
      target: { type: 'order', id: order.orderNo },
      ip: input.ip ?? null,
      metadata: { reason, oldItemId: itemId, newItemId },
    })
    return { orderId: order.id, orderNo: order.orderNo, oldItemId: itemId, newItemId }
  }, input.tenant)
  await queueNoticeMail(
    input.tenant,
    { id: result.orderId, orderNo: result.orderNo },
    { kind: 'item_replaced', key: `replaced-${result.orderNo}-${result.newItemId}` }
  )
  return result
}
