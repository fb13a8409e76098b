import type { HttpContext } from '@adonisjs/core/http'
import RequestBuyerPasswordReset from '#actions/storefront/request_buyer_password_reset'
import { forgotBuyerPasswordValidator } from '#validators/storefront/buyer_account'
import { storefrontMessages } from '#validators/storefront/messages'

/** "Forgot password": ask for a reset link by email. */
export default class ForgotPasswordController {
  async create({ view }: HttpContext) {
    return view.render('pages/storefront/account/forgot_password')
  }

  /** The same answer whether or not the email has an account in this shop. */
  async store(ctx: HttpContext) {
    const { request, response, session, i18n } = ctx
    const { email } = await request.validateUsing(
      forgotBuyerPasswordValidator,
      storefrontMessages(ctx)
    )
    await RequestBuyerPasswordReset.handle({ email, ip: request.ip(), i18n })
    session.flash('notice', i18n.t('storefront.forgot.sent'))
    return response.redirect('/account/forgot-password')
  }
}
