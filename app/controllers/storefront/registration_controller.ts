import type { HttpContext } from '@adonisjs/core/http'
import RegisterBuyer from '#actions/storefront/register_buyer'
import { registerBuyerValidator } from '#validators/storefront/buyer_account'
import { storefrontMessages } from '#validators/storefront/messages'

/** Optional buyer accounts: sign-up. */
export default class RegistrationController {
  async create({ view }: HttpContext) {
    return view.render('pages/storefront/account/register')
  }

  /** Create the account, sign the buyer in, show the account page. */
  async store(ctx: HttpContext) {
    const { request, response, auth, session, i18n } = ctx
    const data = await request.validateUsing(registerBuyerValidator, storefrontMessages(ctx))
    const buyer = await RegisterBuyer.handle({ ...data, ip: request.ip(), i18n })
    await auth.use('buyer').login(buyer)
    session.flash('notice', i18n.t('storefront.register.welcome'))
    return response.redirect('/account')
  }
}
