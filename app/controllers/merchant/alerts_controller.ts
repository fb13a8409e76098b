import type { HttpContext } from '@adonisjs/core/http'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import { requireTenant } from '#tenancy'
import OrderPolicy from '#actions/merchant/orders/order_policy'
import { listShopAlerts, markShopAlertsRead } from '#actions/merchant/orders/alerts'
import { formatMinor } from '#ledger/settlement/format'

/** `/merchant/alerts`: what needs the merchant's attention (any member), mark read. */
export default class AlertsController {
  async index(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(OrderPolicy).allows('operate', requireMember(ctx)))
    const alerts = await listShopAlerts(requireTenant())
    return ctx.view.render('pages/merchant/alerts', {
      alerts,
      amount: (data: Record<string, unknown>) => {
        const minor = typeof data.amountMinor === 'string' ? data.amountMinor : ''
        const currency = typeof data.currency === 'string' ? data.currency : ''
        return /^\d{1,19}$/.test(minor) && /^[A-Z]{3}$/.test(currency)
          ? `${formatMinor(BigInt(minor), currency)} ${currency}`
          : ''
      },
    })
  }

  /** POST /merchant/alerts/:id/read (one) and /merchant/alerts/read (all unread). */
  async markRead(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(OrderPolicy).allows('operate', requireMember(ctx)))
    const id = ctx.params.id === undefined ? null : Number(ctx.params.id)
    const count = await markShopAlertsRead(requireTenant(), id)
    ctx.session.flash('notice', ctx.i18n.t('alerts.marked', { count }))
    return ctx.response.redirect().toPath('/merchant/alerts')
  }
}
