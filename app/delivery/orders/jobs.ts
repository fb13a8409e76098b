import mail from '@adonisjs/mail/services/main'
import {
  dispatch,
  PermanentJobError,
  PlatformJob,
  TenantJob,
  type PlatformJobContext,
  type TenantJobContext,
} from '#jobs'
import { withTenant } from '#tenancy'
import { expireShopReservations, findShopsWithDueReservations } from '#delivery/stock/reservations'

/**
 * Tell the buyer the order is delivered (after commit, at least once: the `mailed` event
 * makes a re-run a no-op once it succeeded). The mail carries the order number, never a
 * card secret or the order token; the buyer reads the items on the order page.
 */
export class DeliveryMailJob extends TenantJob<{ tenantId: number; orderId: number }> {
  static jobName = 'delivery.mail'
  static transaction = false

  async handle(payload: { tenantId: number; orderId: number }, ctx: TenantJobContext) {
    const order = await withTenant(async (trx) => {
      const row = await trx
        .from('orders')
        .where({ tenant_id: payload.tenantId, id: payload.orderId })
        .select('id', 'order_no', 'status', 'contact_email')
        .first()
      if (!row) return null
      const mailed = await trx
        .from('order_events')
        .where({ tenant_id: payload.tenantId, order_id: payload.orderId, kind: 'mailed' })
        .first()
      return mailed ? null : row
    }, ctx.tenant)
    if (!order) return
    if (!['delivered', 'paid', 'paid_unfulfilled'].includes(order.status)) {
      throw new PermanentJobError('order is not paid', { code: 'E_ORDER_NOT_PAID' })
    }
    await mail.send((message) => {
      message
        .to(order.contact_email)
        .subject(`${ctx.tenant.name}: order ${order.order_no}`)
        .text(
          order.status === 'delivered'
            ? `Your order ${order.order_no} is delivered. Open your order page to see it.`
            : `Your payment for order ${order.order_no} is received. The shop will deliver it.`
        )
    })
    await withTenant(
      (trx) =>
        trx.table('order_events').insert({
          tenant_id: payload.tenantId,
          order_id: payload.orderId,
          kind: 'mailed',
          data: JSON.stringify({}),
        }),
      ctx.tenant
    )
  }
}

/** How often the reservation scan runs (ms); also its dispatch dedupe window. */
export const RESERVATION_SCAN_EVERY_MS = 60_000

/** Expire one shop's due reservations (one transaction per batch, SKIP LOCKED). */
export class ExpireReservationsJob extends TenantJob<{ tenantId: number }> {
  static jobName = 'delivery.expire_reservations'
  static transaction = false

  async handle(_payload: { tenantId: number }, ctx: TenantJobContext) {
    const expired = await expireShopReservations(ctx.tenant)
    if (expired) ctx.logger.info({ orders: expired }, 'reservations expired')
  }
}

/**
 * Cross-tenant fan-out: shops with pending orders past their reservation (read-only,
 * audited `withPlatform`), one {@link ExpireReservationsJob} each per scan window.
 */
export class ReservationScanJob extends PlatformJob {
  static jobName = 'delivery.reservation_scan'

  async handle(_payload: Record<string, never>, ctx: PlatformJobContext) {
    const now = new Date()
    const tenantIds = await ctx.withPlatform('find shops with expired stock reservations', (trx) =>
      findShopsWithDueReservations(trx, now)
    )
    const window = Math.floor(now.getTime() / RESERVATION_SCAN_EVERY_MS)
    for (const tenantId of tenantIds) {
      await dispatch(ExpireReservationsJob, { tenantId }, { idempotencyKey: `w${window}` })
    }
  }
}
