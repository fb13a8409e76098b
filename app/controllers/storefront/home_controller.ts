import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import { listCatalog } from '#actions/storefront/catalog/catalog'

/** The shop's front page. */
export default class HomeController {
  /**
   * Shop name, an "opening soon" notice while the platform reviews the shop, and the
   * catalog: active public products grouped by category (`?category=<id>` shows one), with
   * cover, price and stock display (empty text when none). The signed-in buyer, if any, was
   * loaded under the shop's RLS by the storefront route group.
   */
  async show({ view, tenant, request }: HttpContext) {
    const raw = request.qs().category
    const category = typeof raw === 'string' && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null
    const catalog = await listCatalog(requireTenant(), category)
    return view.render('pages/storefront/home', {
      openingSoon: tenant?.status === 'pending_review',
      ...catalog,
      products: catalog.sections.flatMap((section) => section.products),
    })
  }
}
