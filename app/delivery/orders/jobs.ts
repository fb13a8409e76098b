import mail from '@adonisjs/mail/services/main'
import i18nManager from '@adonisjs/i18n/services/main'
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
 * A mail to the buyer beyond the first delivery mail: `resend` (the merchant resends it),
 * `item_replaced` (a key was replaced), `fulfilled` (a manual order was delivered). `key`
 * is unique per request: the job's idempotency key and the event that marks it sent.
 */
export interface DeliveryMailNotice {
  kind: 'resend' | 'item_replaced' | 'fulfilled'
  key: string
}

export interface DeliveryMailPayload {
  tenantId: number
  orderId: number
  notice?: DeliveryMailNotice
}

/**
 * Tell the buyer the order is delivered (after commit, at least once: the `mailed` event
 * makes a re-run a no-op once it succeeded). The mail carries the order number, never a
 * card secret or the order token; the buyer reads the items on the order page.
 *
 * With a `notice` the job sends that mail even though a `mailed` event exists, and records
 * `mail_resent` (resend) or `mailed` (replaced, fulfilled) with the notice's key; a re-run
 * of the same notice finds its event and does nothing.
 */
export class DeliveryMailJob extends TenantJob<DeliveryMailPayload> {
  static jobName = 'delivery.mail'
  static transaction = false

  async handle(payload: DeliveryMailPayload, ctx: TenantJobContext) {
    const notice = payload.notice
    const order = await withTenant(async (trx) => {
      const row = await trx
        .from('orders')
        .where({ tenant_id: payload.tenantId, id: payload.orderId })
        .select('id', 'order_no', 'status', 'contact_email', 'buyer_id')
        .select(trx.raw('(query_password_hash IS NOT NULL) AS has_query_password'))
        .first()
      if (!row) return null
      const sent = trx
        .from('order_events')
        .where({ tenant_id: payload.tenantId, order_id: payload.orderId })
      if (notice) {
        sent.whereIn('kind', ['mailed', 'mail_resent']).whereRaw(`data->>'key' = ?`, [notice.key])
      } else {
        sent.where('kind', 'mailed')
      }
      return (await sent.first()) ? null : row
    }, ctx.tenant)
    if (!order) return
    if (!['delivered', 'paid', 'paid_unfulfilled'].includes(order.status)) {
      throw new PermanentJobError('order is not paid', { code: 'E_ORDER_NOT_PAID' })
    }
    if (notice && notice.kind !== 'resend') {
      // A key replaced or a manual order fulfilled: a short notice naming the order.
      await mail.send((message) => {
        message
          .to(order.contact_email)
          .subject(`${ctx.tenant.name}: order ${order.order_no}`)
          .text(noticeText(notice, order, ctx.tenant.defaultLocale))
      })
    } else {
      // The delivery mail (first send, or the merchant's resend).
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
    }
    const kind = notice?.kind === 'resend' ? 'mail_resent' : 'mailed'
    await withTenant(
      (trx) =>
        trx.table('order_events').insert({
          tenant_id: payload.tenantId,
          order_id: payload.orderId,
          kind,
          data: JSON.stringify(notice ? { key: notice.key, notice: notice.kind } : {}),
        }),
      ctx.tenant
    )
  }
}

/** The notice mails, in the shop's language (`orders.buyer_mail.*`), English underneath. */
function noticeText(
  notice: DeliveryMailNotice,
  order: { status: string; order_no: string },
  shopLocale: string
) {
  const locale = i18nManager.getSupportedLocaleFor([shopLocale ?? '']) ?? i18nManager.defaultLocale
  const data = { orderNo: order.order_no }
  const key =
    notice.kind === 'resend' ? (order.status === 'delivered' ? 'delivered' : 'paid') : notice.kind
  const texts = [i18nManager.locale(locale).t(`orders.buyer_mail.${key}`, data)]
  if (locale !== 'en') texts.push(i18nManager.locale('en').t(`orders.buyer_mail.${key}`, data))
  return texts.join('\n\n')
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
