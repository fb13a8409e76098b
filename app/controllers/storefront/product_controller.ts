import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import { shopProduct } from '#actions/storefront/orders/orders'

/** GET /p/:id — product page with the checkout form. */
export default class ProductController {
  async show({ params, view, response }: HttpContext) {
    const id = Number(params.id)
    if (!Number.isSafeInteger(id) || id <= 0) return response.notFound('Not found')
    const product = await shopProduct(requireTenant(), id)
    if (!product) return response.notFound('Not found')
    return view.render('pages/storefront/product', { product })
  }
}
