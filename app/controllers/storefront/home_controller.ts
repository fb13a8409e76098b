import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import { listShopProducts } from '#actions/storefront/orders/orders'

/** The shop's front page. */
export default class HomeController {
  /**
   * Shop name, an "opening soon" notice while the platform reviews the shop, and the
   * catalog: active public products with price and stock display (empty text when none).
   * The signed-in buyer, if any, was loaded under the shop's RLS by the storefront route group.
   */
  async show({ view, tenant }: HttpContext) {
    const products = await listShopProducts(requireTenant())
    return view.render('pages/storefront/home', {
      openingSoon: tenant?.status === 'pending_review',
      products,
    })
  }
}
