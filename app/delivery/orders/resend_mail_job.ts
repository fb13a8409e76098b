import mail from '@adonisjs/mail/services/main'
import { PermanentJobError, TenantJob, type TenantJobContext } from '#jobs'
import { withTenant } from '#tenancy'
import OrderDeliveryMail from '#mails/storefront/order_delivery_mail'

export interface ResendMailPayload {
  tenantId: number
  orderId: number
  /** The language of the mail (the buyer's when they asked). */
  locale: string
  /** Who asked for it. */
  by: 'buyer'
}

/** Statuses whose delivery mail may be sent again. */
const MAILABLE = ['paid', 'delivered', 'paid_unfulfilled']

/**
 * Send the delivery mail again, to the order's contact email only, then record the order
 * event `mail_resent` `{ by }`. Separate from DeliveryMailJob, whose `mailed` event makes
 * it send once; the caller rate-limits resends and dispatches each with its own key.
 */
export class ResendMailJob extends TenantJob<ResendMailPayload> {
  static jobName = 'delivery.mail_resend'
  static transaction = false

  async handle(payload: ResendMailPayload, ctx: TenantJobContext) {
    const order = await withTenant(
      (trx) =>
        trx
          .from('orders')
          .where({ tenant_id: payload.tenantId, id: payload.orderId })
          .select(
            'order_no',
            'status',
            'contact_email',
            'buyer_id',
            trx.raw('(query_password_hash IS NOT NULL) AS has_query_password')
          )
          .first(),
      ctx.tenant
    )
    if (!order) throw new PermanentJobError('no such order', { code: 'E_ORDER_NOT_FOUND' })
    if (!MAILABLE.includes(order.status)) {
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
        payload.locale
      )
    )
    await withTenant(
      (trx) =>
        trx.table('order_events').insert({
          tenant_id: payload.tenantId,
          order_id: payload.orderId,
          kind: 'mail_resent',
          data: JSON.stringify({ by: payload.by }),
        }),
      ctx.tenant
    )
  }
}
