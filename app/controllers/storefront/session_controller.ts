import type { HttpContext } from '@adonisjs/core/http'
import LoginBuyer from '#actions/storefront/login_buyer'
import { loginBuyerValidator } from '#validators/storefront/buyer_account'
import { storefrontMessages } from '#validators/storefront/messages'

/** Buyer log-in and log-out (guard `buyer`, one session per shop host). */
export default class SessionController {
  async create({ view }: HttpContext) {
    return view.render('pages/storefront/account/login')
  }

  async store(ctx: HttpContext) {
    const { request, response, auth, session, i18n } = ctx
    const { email, password } = await request.validateUsing(
      loginBuyerValidator,
      storefrontMessages(ctx)
    )
    const buyer = await LoginBuyer.handle({ email, password, ip: request.ip() })
    if (!buyer) {
      session.flashOnly(['email'])
      session.flash('error', i18n.t('storefront.login.failed'))
      return response.redirect('/account/login')
    }
    await auth.use('buyer').login(buyer)
    return response.redirect(localPath(session.pullIntendedUrl()) ?? '/account')
  }

  async destroy({ response, auth, session, i18n }: HttpContext) {
    await auth.use('buyer').logout()
    session.flash('notice', i18n.t('storefront.account.logged_out'))
    return response.redirect('/')
  }
}

/** Only same-host paths are followed after log-in. */
function localPath(url: string | null) {
  if (!url || !url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\')) return null
  return url
}
