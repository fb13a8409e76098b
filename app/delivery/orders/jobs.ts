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
import OrderDeliveryMail from '#mails/storefront/order_delivery_mail'

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
        .select('id', 'order_no', 'status', 'contact_email', 'buyer_id')
        .select(trx.raw('(query_password_hash IS NOT NULL) AS has_query_password'))
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
    await mail.send(
      new OrderDeliveryMail(
        ctx.tenant,
        {
          orderNo: order.order_no,
          status: order.status,
          contactEmail: order.contact_email,
          hasQueryPassword: Boolean(order.has_query_password),
          hasBuyer: order.buyer_id !== null,
        },
        ctx.tenant.defaultLocale
      )
    )
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
