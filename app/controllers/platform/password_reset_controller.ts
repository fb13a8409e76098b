import type { HttpContext } from '@adonisjs/core/http'
import {
  forgotPasswordValidator,
  resetPasswordValidator,
} from '#validators/platform/password_reset'
import { fieldError, validateForm } from '#validators/platform/validate_form'
import RequestPasswordReset from '#actions/accounts/request_password_reset'
import ResetPassword, { resetTokenIsUsable } from '#actions/accounts/reset_password'
import { clientIp } from '#actions/accounts/client_ip'

/** Merchant password reset: ask for a link, then set a new password from it (once). */
export default class PasswordResetController {
  async create({ view }: HttpContext) {
    return view.render('pages/platform/forgot_password')
  }

  /** The same answer whether or not the address has an account. */
  async store(ctx: HttpContext) {
    const data = await validateForm(ctx, forgotPasswordValidator, { back: '/forgot-password' })
    await new RequestPasswordReset().handle({ email: data.email, ip: clientIp(ctx) })
    ctx.session.flash('notice', ctx.i18n.t('auth.forgot.sent'))
    return ctx.response.redirect().toPath('/forgot-password')
  }

  async edit({ params, view, response }: HttpContext) {
    const token = String(params.token)
    response.header('Referrer-Policy', 'no-referrer')
    const usable = await resetTokenIsUsable(token)
    if (!usable) response.status(410)
    return view.render('pages/platform/reset_password', { token, usable })
  }

  async update(ctx: HttpContext) {
    const token = String(ctx.params.token)
    const form = { back: `/reset-password/${encodeURIComponent(token)}` }
    const data = await validateForm(ctx, resetPasswordValidator, form)
    const result = await new ResetPassword().handle({
      token,
      password: data.password,
      ip: clientIp(ctx),
    })
    if (result === 'password_is_email')
      throw fieldError(ctx, 'password', 'password_not_email', form)
    if (result === 'invalid_token') {
      ctx.session.flash('error', ctx.i18n.t('auth.reset.invalid'))
      return ctx.response.redirect().toPath('/forgot-password')
    }
    ctx.session.flash('notice', ctx.i18n.t('auth.reset.done'))
    return ctx.response.redirect().toPath('/login')
  }
}
