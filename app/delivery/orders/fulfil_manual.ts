import { withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { OrderDeskError, checkId } from '#delivery/orders/admin_errors'
import { lockOrderRow, queueNoticeMail } from '#delivery/orders/admin_support'
import { deliverLineItems } from '#delivery/orders/line_items'
import { emitOrderDelivered } from '#delivery/orders/order_events_out'

/** `items`: one item per line (at most the line's quantity); `text`: the whole text is one item. */
export type FulfilMode = 'items' | 'text'

export interface FulfilManualOrder {
  tenant: TenantRef
  actor: { type: 'user'; id: number }
  orderId: number
  mode: FulfilMode
  /** What the merchant typed: never logged, never audited, stored encrypted. */
  content: string
  ip?: string | null
}

/** Longest single item (same as a stock line) and longest free text. */
export const MAX_ITEM_LENGTH = 1024
export const MAX_TEXT_LENGTH = 10_000

/** Control characters other than tab and newline are refused (NUL, escapes, DEL …). */
function hasControl(text: string) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f) return true
  }
  return false
}

function invalid(reason: string, details: Record<string, unknown> = {}): never {
  throw new OrderDeskError('E_FULFIL_INVALID', `invalid content: ${reason}`, { reason, ...details })
}

/** Split and check the typed content (no database). */
export function parseFulfilment(mode: unknown, content: unknown, quantity: number): string[] {
  if (mode !== 'items' && mode !== 'text') invalid('mode')
  if (typeof content !== 'string') invalid('empty')
  const text = content.replace(/\r\n?/g, '\n')
  if (text.length > MAX_TEXT_LENGTH) invalid('too_long', { max: MAX_TEXT_LENGTH })
  if (mode === 'text') {
    const whole = text.trim()
    if (!whole) invalid('empty')
    if (hasControl(whole)) invalid('binary')
    return [whole]
  }
  const items = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  if (!items.length) invalid('empty')
  if (items.some((i) => hasControl(i))) invalid('binary')
  if (items.some((i) => i.length > MAX_ITEM_LENGTH)) invalid('item_too_long')
  if (items.length > quantity) invalid('too_many', { max: quantity })
  if (new Set(items).size !== items.length) invalid('duplicate')
  return items
}

/**
 * The keyed-hash input of a manually delivered item: the content salted with its order line
 * (`manual:<lineId>:<content>`). `card_items` is unique on (shop, product, hash), which is
 * right for stock (the same key must not be sold twice) but a manual product may rightly
 * send the same text (a download link, instructions) to two buyers: the salt makes each
 * line's items distinct while still refusing the same item twice on one line.
 */
export function manualHashInput(lineId: number, content: string) {
  return `manual:${lineId}:${content}`
}

export interface FulfilledOrder {
  orderId: number
  orderNo: string
  items: number
}

/**
 * The merchant delivers a paid order's manual line, in one unit of work: lock the order;
 * it must be `paid` with an undelivered manual delivery; the typed items are encrypted
 * (shop data key) and stored as `card_items` sold to the line (so the buyer's order page
 * reveals them through the usual audited path); the delivery gets `delivered_at`, the order
 * becomes `delivered` once nothing is outstanding; `fulfilled` and `delivered` events, the
 * order's unread `manual_order` alerts are marked read, and last the audit record
 * `order.fulfilled_manually` (counts only). After commit the buyer is mailed.
 */
export async function fulfilManualOrder(input: FulfilManualOrder): Promise<FulfilledOrder> {
  const orderId = checkId(input.orderId)
  const tenantId = input.tenant.id
  const result = await withTenant(async (trx) => {
    const order = await lockOrderRow(trx, tenantId, orderId)
    const { rows } = await trx.rawQuery(
      `SELECT l.id, l.product_id, l.quantity, d.id AS delivery_id
         FROM order_lines l
         JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         JOIN deliveries d ON d.tenant_id = l.tenant_id AND d.line_id = l.id
        WHERE l.tenant_id = ? AND l.order_id = ? AND p.type = 'manual' AND d.delivered_at IS NULL
        ORDER BY l.id LIMIT 1`,
      [tenantId, order.id]
    )
    const line = rows[0]
    if (order.status !== 'paid' || !line) {
      throw new OrderDeskError('E_NOTHING_TO_FULFIL', 'no undelivered manual line')
    }
    const lineId = Number(line.id)
    const items = parseFulfilment(input.mode, input.content, Number(line.quantity))
    const { delivered } = await deliverLineItems(trx, {
      tenantId,
      orderId: order.id,
      productId: Number(line.product_id),
      lineId,
      deliveryId: Number(line.delivery_id),
      items,
      hashInput: (item) => manualHashInput(lineId, item),
    })
    await trx
      .from('merchant_alerts')
      .where({ tenant_id: tenantId, order_id: order.id, kind: 'manual_order' })
      .whereNull('read_at')
      .update({ read_at: trx.raw('now()') })
    await recordTenantAudit(trx, tenantId, {
      actor: input.actor,
      action: 'order.fulfilled_manually',
      target: { type: 'order', id: order.orderNo },
      ip: input.ip ?? null,
      metadata: { lineId, items: items.length, mode: input.mode, delivered },
    })
    return { orderId: order.id, orderNo: order.orderNo, items: items.length }
  }, input.tenant)
  await queueNoticeMail(
    input.tenant,
    { id: result.orderId, orderNo: result.orderNo },
    { kind: 'fulfilled', key: `fulfilled-${result.orderNo}` }
  )
  await emitOrderDelivered(input.tenant, result.orderId)
  return result
}
