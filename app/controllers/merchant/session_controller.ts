import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import { requireTenant } from '#tenancy'
import LogInMerchant from '#actions/merchant/session/log_in_merchant'
import { merchantLoginValidator } from '#validators/merchant/session'
import { merchantMessages } from '#validators/merchant/validate'

/** Dashboard login and logout on a shop host (`web` guard). */
export default class SessionController {
  async create({ view, auth, response }: HttpContext) {
    if (await auth.use('web').check()) return response.redirect('/merchant')
    return view.render('pages/merchant/login', { platformUrl: env.get('APP_URL') })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, auth, i18n } = ctx
    const { email, password } = await request.validateUsing(
      merchantLoginValidator,
      merchantMessages(ctx)
    )
    const result = await LogInMerchant.handle({
      tenant: requireTenant(),
      email,
      password,
      ip: request.ip(),
    })
    if (result.kind !== 'ok') {
      session.flashOnly(['email'])
      if (result.kind === 'unverified') session.flash('unverified', true)
      const minutes = result.kind === 'throttled' ? Math.ceil(result.retryAfterSeconds / 60) : 0
      session.flash('error', i18n.t(`merchant.login.${result.kind}`, { minutes }))
      return response.redirect('/merchant/login')
    }
    await auth.use('web').login(result.user)
    return response.redirect('/merchant')
  }

  async destroy({ auth, response, session, i18n }: HttpContext) {
    await auth.use('web').logout()
    session.flash('notice', i18n.t('merchant.login.logged_out'))
    return response.redirect('/merchant/login')
  }
}
