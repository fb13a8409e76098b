import type { HttpContext } from '@adonisjs/core/http'
import { loginValidator } from '#validators/platform/login'
import { validateForm } from '#validators/platform/validate_form'
import { FormError } from '#validators/platform/form_error'
import LogInMerchant from '#actions/accounts/log_in_merchant'
import { clientIp } from '#actions/accounts/client_ip'
import { PENDING_VERIFICATION_KEY } from '#controllers/platform/email_verification_controller'

const FORM = { back: '/login', keep: ['email'] }

/**
 * Merchant login on the platform site. It leads to "your shops"; each shop's dashboard
 * has its own login on the shop's host (session cookies are host-only).
 */
export default class SessionController {
  async create({ view, auth, response }: HttpContext) {
    if (await auth.use('web').check()) return response.redirect().toPath('/shops')
    return view.render('pages/platform/login')
  }

  async store(ctx: HttpContext) {
    const data = await validateForm(ctx, loginValidator, FORM)
    const result = await new LogInMerchant().handle({ ...data, ip: clientIp(ctx) })
    if (!result.ok) {
      throw FormError.field('_form', ctx.i18n.t('auth.login.invalid'), FORM.back, FORM.keep)
    }
    if (!result.verified) {
      ctx.session.put(PENDING_VERIFICATION_KEY, result.user.id)
      return ctx.response.redirect().toPath('/verify-email')
    }
    ctx.session.forget(PENDING_VERIFICATION_KEY)
    await ctx.auth.use('web').login(result.user)
    return ctx.response.redirect().toPath('/shops')
  }

  async destroy({ auth, response }: HttpContext) {
    await auth.use('web').logout()
    return response.redirect().toPath('/')
  }
}
