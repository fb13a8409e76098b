import type { HttpContext } from '@adonisjs/core/http'
import { clientIp } from '#actions/accounts/client_ip'
import { listOpenPaymentAlerts, resolvePaymentAlert } from '#payments/alerts'

/**
 * Platform admins: open payment alerts across shops (reconciliation mismatches, payments
 * that could not be confirmed, query failures, disputes), resolved with a note. Reads and
 * resolutions are `withPlatform` units of work; resolutions go on the platform audit chain.
 */
export default class PaymentAlertsController {
  async index(ctx: HttpContext) {
    const alerts = await listOpenPaymentAlerts({
      adminId: ctx.auth.use('admin').getUserOrFail().id,
      ip: clientIp(ctx),
    })
    const now = Date.now()
    return ctx.view.render('pages/admin/payment_alerts', {
      alerts: alerts.map((a) => ({
        ...a,
        ageHours: Math.max(0, Math.floor((now - a.createdAt.getTime()) / 3_600_000)),
        dataJson: JSON.stringify(a.data),
      })),
    })
  }

  async resolve(ctx: HttpContext) {
    const { i18n, session, response, params, request } = ctx
    const result = await resolvePaymentAlert({
      adminId: ctx.auth.use('admin').getUserOrFail().id,
      tenantId: Number(params.tenant),
      alertId: Number(params.id),
      note: request.input('note'),
      ip: clientIp(ctx),
    })
    if (result.ok) {
      session.flash('notice', i18n.t('payments.admin.resolved'))
      return response.redirect('/admin/payments/alerts')
    }
    session.flash('error', i18n.t(`payments.admin.errors.${result.reason}`))
    return response.redirect('/admin/payments/alerts')
  }
}
