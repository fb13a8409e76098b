import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import { lookupOrder, orderByToken, type OrderView } from '#actions/storefront/orders/orders'

/** Order pages never get cached or leak their URL (the token) to other sites. */
function privateHeaders(response: HttpContext['response']) {
  response.header('Cache-Control', 'no-store')
  response.header('Referrer-Policy', 'no-referrer')
  response.header('X-Robots-Tag', 'noindex, nofollow')
}

/** GET /orders/:token, GET/POST /orders/lookup. */
export default class OrderController {
  async show({ params, request, response, view, auth }: HttpContext) {
    privateHeaders(response)
    const found = await orderByToken(requireTenant(), String(params.token), {
      ip: request.ip(),
      buyerId: auth.use('buyer').user?.id ?? null,
    })
    if (!found) return response.notFound('Not found')
    return this.render(view, found)
  }

  async lookupForm({ view, response }: HttpContext) {
    privateHeaders(response)
    return view.render('pages/storefront/order_lookup', { error: null, orderNo: '', email: '' })
  }

  async lookup({ request, response, view, auth, i18n }: HttpContext) {
    privateHeaders(response)
    const raw = request.only(['orderNo', 'contactEmail', 'queryPassword'])
    const str = (v: unknown) => (typeof v === 'string' ? v : '')
    const found = await lookupOrder(requireTenant(), {
      orderNo: str(raw.orderNo),
      contactEmail: str(raw.contactEmail),
      queryPassword: str(raw.queryPassword),
      ip: request.ip(),
      buyerId: auth.use('buyer').user?.id ?? null,
    })
    if (!found) {
      response.status(422)
      return view.render('pages/storefront/order_lookup', {
        error: i18n.t('shop_orders.lookup.failed'),
        orderNo: str(raw.orderNo).slice(0, 64),
        email: str(raw.contactEmail).slice(0, 254),
      })
    }
    return this.render(view, found)
  }

  private render(view: HttpContext['view'], found: OrderView) {
    return view.render('pages/storefront/order', { ...found })
  }
}
