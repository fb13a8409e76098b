import { withTenant, type TenantRef } from '#tenancy'
import { emitPluginEvent } from '#plugin_host/events'
import { hooks } from '#plugin_host/runtime'
import type { OrderEventPayload } from '#plugin_host/sdk/hooks'
import { ORDER_COLUMNS, toOrder, type Order } from '#delivery/orders/order'

/** What plugins see of an order in `order.*` events (no token, no secrets). */
export function orderEventPayload(order: Order): OrderEventPayload {
  return {
    orderId: order.id,
    orderNo: order.orderNo,
    productId: order.productId,
    status: order.status,
    amountMinor: order.amountMinor,
    currency: order.currency,
    contactEmail: order.contactEmail,
  }
}

/**
 * After a later delivery committed (manual fulfilment, a delivery source): emit
 * `order.delivered` to the shop's subscribed plugins, once per order (the event id). Reads
 * the order again; does nothing unless it is `delivered` or when no plugin listens.
 */
export async function emitOrderDelivered(tenant: TenantRef, orderId: number) {
  if (!hooks.handles('order.delivered')) return
  const order = await withTenant(async (trx) => {
    const { rows } = await trx.rawQuery(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = ? AND id = ?`,
      [tenant.id, orderId]
    )
    return rows[0] ? toOrder(rows[0]) : null
  }, tenant)
  if (!order || order.status !== 'delivered') return
  await emitPluginEvent(
    tenant,
    'order.delivered',
    `order.delivered:${order.orderNo}`,
    orderEventPayload(order)
  )
}
