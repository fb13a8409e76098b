import type { HttpContext } from '@adonisjs/core/http'

/** The signed-in buyer's account page (route requires guard `buyer`). */
export default class AccountController {
  async show({ view, auth }: HttpContext) {
    return view.render('pages/storefront/account/show', {
      account: auth.use('buyer').getUserOrFail(),
    })
  }
}
