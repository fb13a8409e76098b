import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import { signupValidator } from '#validators/platform/signup'
import { fieldError, validateForm } from '#validators/platform/validate_form'
import SignUpShop from '#actions/platform/sign_up_shop'
import { clientIp } from '#actions/accounts/client_ip'

const FORM = { back: '/signup', keep: ['email', 'shop_name', 'slug'] }

/** Open a shop: the sign-up form, its submission, and the "check your inbox" page. */
export default class SignupController {
  async create({ view }: HttpContext) {
    return view.render('pages/platform/signup', { platformDomain: env.get('PLATFORM_DOMAIN') })
  }

  async store(ctx: HttpContext) {
    const data = await validateForm(ctx, signupValidator, FORM)
    const outcome = await new SignUpShop().handle({
      email: data.email,
      password: data.password,
      shopName: data.shop_name,
      slug: data.slug,
      locale: ctx.i18n.locale,
      ip: clientIp(ctx),
    })
    if (outcome === 'slug_taken') throw fieldError(ctx, 'slug', 'slug_taken', FORM)
    ctx.session.flash('signup_email', data.email)
    return ctx.response.redirect().toPath('/signup/done')
  }

  async done({ view, session }: HttpContext) {
    return view.render('pages/platform/signup_done', {
      email: session.flashMessages.get('signup_email') ?? null,
    })
  }
}
