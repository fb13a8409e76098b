import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import { catalogProduct } from '#actions/storefront/catalog/catalog'
import { slotFragments } from '#plugin_host/slots'

/**
 * GET /p/:id — product page with the checkout form. Active products only (public or hidden:
 * a hidden product is reachable through its link `/p/:id?k=<token>`); draft, paused, unknown
 * ids and a hidden product without its key are the same 404.
 */
export default class ProductController {
  async show({ params, request, view, response }: HttpContext) {
    const id = Number(params.id)
    if (!Number.isSafeInteger(id) || id <= 0) return response.notFound('Not found')
    const tenant = requireTenant()
    const product = await catalogProduct(tenant, id, request.qs().k)
    if (!product) return response.notFound('Not found')
    // Plugins' storefront slots on this page (nothing is queried when no plugin listens).
    const slots = {
      afterDescription: await slotFragments(tenant, 'product.after_description', { productId: id }),
      beforeSubmit: await slotFragments(tenant, 'checkout.before_submit', { productId: id }),
    }
    if (!product.linkQuery) return view.render('pages/storefront/product', { product, slots })
    // The key is in the URL: never sent on as a Referer, not indexed; the language switch
    // comes back to the page with it.
    response.header('Referrer-Policy', 'no-referrer')
    response.header('X-Robots-Tag', 'noindex')
    view.share({ currentPath: `/p/${product.id}${product.linkQuery}` })
    return view.render('pages/storefront/product', { product, slots })
  }
}
