import type { HttpContext } from '@adonisjs/core/http'
import drive from '@adonisjs/drive/services/main'
import { requireTenant } from '#tenancy'
import { imageContentType } from '#delivery'
import { productImageKey } from '#actions/storefront/catalog/catalog'

/**
 * A year: image names are random and never reused, so a cached copy never goes stale.
 * `private` because every routed response carries the session cookie, which a shared cache
 * must not store (serving media through a CDN needs this route outside the session middleware).
 */
const MAX_AGE_SECONDS = 365 * 24 * 60 * 60

/**
 * GET /media/products/:productId/:file — a product image of the shop in context, streamed
 * from the drive disk. Anything else (another shop's product, a file that is not one of the
 * product's images) is the same 404.
 */
export default class MediaController {
  async productImage({ params, response }: HttpContext) {
    const productId = Number(params.productId)
    const key = await productImageKey(requireTenant(), productId, String(params.file))
    const contentType = key ? imageContentType(key) : null
    if (!key || !contentType || !(await drive.use().exists(key))) {
      return response.notFound('Not found')
    }
    response.header('Content-Type', contentType)
    response.header('X-Content-Type-Options', 'nosniff')
    response.header('Content-Disposition', 'inline')
    response.header('Content-Security-Policy', "default-src 'none'; sandbox")
    response.header('Cache-Control', `private, max-age=${MAX_AGE_SECONDS}, immutable`)
    return response.stream(await drive.use().getStream(key))
  }
}
