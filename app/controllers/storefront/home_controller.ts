import type { HttpContext } from '@adonisjs/core/http'

/** The shop's front page. */
export default class HomeController {
  /**
   * Shop name, an "opening soon" notice while the platform reviews the shop, and the
   * catalog (empty until products exist). The signed-in buyer, if any, was loaded under
   * the shop's RLS by the storefront route group.
   */
  async show({ view, tenant }: HttpContext) {
    return view.render('pages/storefront/home', {
      openingSoon: tenant?.status === 'pending_review',
    })
  }
}
