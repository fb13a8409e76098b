import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import { catalogProduct } from '#actions/storefront/catalog/catalog'

/**
 * GET /p/:id — product page with the checkout form. Active products only (public or hidden:
 * a hidden product is reachable through its link); draft, paused and unknown ids are 404.
 */
export default class ProductController {
  async show({ params, view, response }: HttpContext) {
    const id = Number(params.id)
    if (!Number.isSafeInteger(id) || id <= 0) return response.notFound('Not found')
    const product = await catalogProduct(requireTenant(), id)
    if (!product) return response.notFound('Not found')
    return view.render('pages/storefront/product', { product })
  }
}
