import type { HttpContext } from '@adonisjs/core/http'
import CheckBuyerPasswordReset from '#actions/storefront/check_buyer_password_reset'
import ResetBuyerPassword from '#actions/storefront/reset_buyer_password'
import { resetBuyerPasswordValidator } from '#validators/storefront/buyer_account'
import { storefrontMessages } from '#validators/storefront/messages'

/** The page a reset link opens: choose a new password. */
export default class ResetPasswordController {
  /** The token is in the URL: never leak it to another site through the Referer header. */
  async edit({ params, view, response }: HttpContext) {
    const token = String(params.token)
    const usable = await CheckBuyerPasswordReset.handle(token)
    response.header('Referrer-Policy', 'no-referrer')
    return view.render('pages/storefront/account/reset_password', { token, usable })
  }

  async update(ctx: HttpContext) {
    const { params, request, response, session, i18n } = ctx
    const { password } = await request.validateUsing(
      resetBuyerPasswordValidator,
      storefrontMessages(ctx)
    )
    const token = String(params.token)
    const done = await ResetBuyerPassword.handle({ token, password, ip: request.ip() })
    if (!done) {
      session.flash('error', i18n.t('storefront.reset.invalid'))
      return response.redirect('/account/forgot-password')
    }
    session.flash('notice', i18n.t('storefront.reset.done'))
    return response.redirect('/account/login')
  }
}
