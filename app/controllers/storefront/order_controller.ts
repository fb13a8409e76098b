import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import {
  findOrderByToken,
  isOrderNo,
  lookupOrder,
  orderByToken,
  type OrderView,
} from '#actions/storefront/orders/orders'
import {
  resendDeliveryMail,
  type ResendOutcome,
} from '#actions/storefront/orders/resend_delivery_mail'
import { findGrantedOrder, grantLookupAccess } from '#actions/storefront/orders/lookup_grants'

/** Order pages never get cached or leak their URL (the token) to other sites. */
export function privateHeaders(response: HttpContext['response']) {
  response.header('Cache-Control', 'no-store')
  response.header('Referrer-Policy', 'no-referrer')
  response.header('X-Robots-Tag', 'noindex, nofollow')
}

/** The order page, or a 404 page in the buyer's language. */
export async function renderOrder(
  { response, view }: HttpContext,
  found: OrderView | null,
  links: { resendUrl: string; backUrl?: string }
) {
  if (!found) {
    response.status(404)
    return view.render('pages/storefront/order_not_found')
  }
  return view.render('pages/storefront/order', { ...found, ...links })
}

/** Flash the outcome of a resend request in the buyer's language. */
export function flashResend({ session, i18n }: HttpContext, outcome: ResendOutcome) {
  if (outcome.ok) {
    session.flash('notice', i18n.t('buyer_orders.resend.sent', { email: outcome.maskedEmail }))
  } else {
    session.flash('error', i18n.t(`buyer_orders.resend.${outcome.reason}`))
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '')

/**
 * GET /orders/:token, GET/POST /orders/lookup, and the delivery-mail resend from a page
 * whose access was proven by the token or by a lookup in this session.
 */
export default class OrderController {
  async show(ctx: HttpContext) {
    const { params, request, response, auth } = ctx
    privateHeaders(response)
    const token = String(params.token)
    const found = await orderByToken(requireTenant(), token, {
      ip: request.ip(),
      buyerId: auth.use('buyer').user?.id ?? null,
    })
    return renderOrder(ctx, found, { resendUrl: `/orders/${token}/resend` })
  }

  async resend(ctx: HttpContext) {
    const { params, request, response, i18n } = ctx
    privateHeaders(response)
    const tenant = requireTenant()
    const token = String(params.token)
    const outcome = await resendDeliveryMail(
      tenant,
      (trx) => findOrderByToken(trx, tenant, token),
      { ip: request.ip(), locale: i18n.locale }
    )
    if (!outcome.ok && outcome.reason === 'not_found')
      return renderOrder(ctx, null, { resendUrl: '' })
    flashResend(ctx, outcome)
    return response.redirect(`/orders/${token}`)
  }

  async lookupForm({ view, response, request }: HttpContext) {
    privateHeaders(response)
    const orderNo = str(request.qs().orderNo)
    return view.render('pages/storefront/order_lookup', {
      error: null,
      orderNo: isOrderNo(orderNo) ? orderNo.toUpperCase() : '',
      email: '',
    })
  }

  async lookup(ctx: HttpContext) {
    const { request, response, view, auth, i18n, session } = ctx
    privateHeaders(response)
    const raw = request.only(['orderNo', 'contactEmail', 'queryPassword'])
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
    grantLookupAccess(session, found.order.id)
    return renderOrder(ctx, found, { resendUrl: `/orders/lookup/${found.order.orderNo}/resend` })
  }

  async lookupResend(ctx: HttpContext) {
    const { params, request, response, i18n, session } = ctx
    privateHeaders(response)
    const tenant = requireTenant()
    const orderNo = String(params.orderNo)
    const outcome = await resendDeliveryMail(
      tenant,
      (trx) => findGrantedOrder(trx, tenant, session, orderNo),
      { ip: request.ip(), locale: i18n.locale }
    )
    if (!outcome.ok && outcome.reason === 'not_found') {
      session.flash('error', i18n.t('buyer_orders.resend.lookup_again'))
    } else {
      flashResend(ctx, outcome)
    }
    const back = new URLSearchParams({ orderNo: isOrderNo(orderNo) ? orderNo : '' })
    return response.redirect(`/orders/lookup?${back}`)
  }
}
