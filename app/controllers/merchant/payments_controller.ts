import type { HttpContext } from '@adonisjs/core/http'
import MoneyPolicy from '#ledger/withdrawals/policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import { connectGatewayAccount, merchantPayments } from '#payments/merchant'

const PLUGIN_ID = /^[a-z][a-z0-9-]{1,39}$/

/**
 * The shop's payment gateways (owners only, like the other money pages): which gateways
 * are enabled, where their money lands, connected accounts and the latest callbacks with
 * their reason codes. Settings stay in the plugin settings form (secrets encrypted there).
 */
export default class PaymentsController {
  async index(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(MoneyPolicy).allows('view', requireMember(ctx)))
    const data = await merchantPayments(ctx.tenant!)
    return ctx.view.render('pages/merchant/payments', data)
  }

  async connect(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(MoneyPolicy).allows('view', member))
    const pluginId = String(ctx.params.pluginId)
    if (!PLUGIN_ID.test(pluginId)) {
      ctx.session.flash('error', ctx.i18n.t('payments.merchant.errors.unavailable'))
      return ctx.response.redirect('/merchant/payments')
    }
    const user = ctx.auth.use('web').user
    const result = await connectGatewayAccount({
      tenant: ctx.tenant!,
      userId: member.userId,
      email: user?.email ?? null,
      pluginId,
      ip: ctx.request.ip(),
    })
    if (!result.ok) {
      ctx.session.flash('error', ctx.i18n.t(`payments.merchant.errors.${result.reason}`))
      return ctx.response.redirect('/merchant/payments')
    }
    return ctx.response.redirect().status(303).toPath(result.url)
  }
}
