import type { HttpContext } from '@adonisjs/core/http'
import { slotFragments } from '#plugin_host/slots'
import { paymentChoices } from '#payments/buyer'
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
import { StorefrontThrottledException } from '#actions/storefront/errors'

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
  links: { resendUrl: string; backUrl?: string; payBase?: string }
) {
  if (!found) {
    response.status(404)
    return view.render('pages/storefront/order_not_found')
  }
  const tenant = requireTenant()
  const slots = {
    afterItems: await slotFragments(tenant, 'order.after_items', { orderNo: found.order.orderNo }),
  }
  // A pending order opened by its token link: the shop's gateways and the live status.
  const payment =
    links.payBase && found.order.status === 'pending'
      ? {
          choices: await paymentChoices(tenant, found.order),
          payUrl: `${links.payBase}/pay`,
          statusUrl: `${links.payBase}/status`,
        }
      : null
  return view.render('pages/storefront/order', { ...found, ...links, slots, payment })
}

/**
 * Ask for the delivery mail again on an order found by `find` (access proven by the caller),
 * then go back to `back` with the outcome flashed in the buyer's language. An order that is
 * not found is a 404 page (or, with `notFound: 'flash'`, a flashed hint); too many resends
 * are the 429 page, whose back link is the order page rather than this POST-only URL.
 */
export async function resendAndReturn(
  ctx: HttpContext,
  find: Parameters<typeof resendDeliveryMail>[1],
  options: { back: (outcome: ResendOutcome) => string; notFound: 'page' | 'flash' }
) {
  const { request, response, session, i18n, view } = ctx
  privateHeaders(response)
  let outcome: ResendOutcome
  try {
    outcome = await resendDeliveryMail(requireTenant(), find, {
      ip: request.ip(),
      locale: i18n.locale,
    })
  } catch (error) {
    if (!(error instanceof StorefrontThrottledException) || !request.accepts(['html'])) throw error
    const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds))
    response.status(429).header('Retry-After', String(seconds))
    return view.render('pages/storefront/throttled', {
      message: i18n.t('storefront.throttled.message', { minutes: Math.ceil(seconds / 60) }),
      back: options.back({ ok: false, reason: 'not_found', order: null }),
    })
  }
  if (outcome.ok) {
    session.flash('notice', i18n.t('buyer_orders.resend.sent', { email: outcome.maskedEmail }))
  } else if (outcome.reason === 'not_found' && options.notFound === 'page') {
    return renderOrder(ctx, null, { resendUrl: '' })
  } else if (outcome.reason === 'not_found') {
    session.flash('error', i18n.t('buyer_orders.resend.lookup_again'))
  } else {
    session.flash('error', i18n.t(`buyer_orders.resend.${outcome.reason}`))
  }
  return response.redirect(options.back(outcome))
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
    return renderOrder(ctx, found, {
      resendUrl: `/orders/${token}/resend`,
      payBase: `/orders/${token}`,
    })
  }

  async resend(ctx: HttpContext) {
    const tenant = requireTenant()
    const token = String(ctx.params.token)
    return resendAndReturn(ctx, (trx) => findOrderByToken(trx, tenant, token), {
      back: () => `/orders/${token}`,
      notFound: 'page',
    })
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
    const tenant = requireTenant()
    const orderNo = String(ctx.params.orderNo)
    const back = new URLSearchParams({ orderNo: isOrderNo(orderNo) ? orderNo : '' })
    return resendAndReturn(ctx, (trx) => findGrantedOrder(trx, tenant, ctx.session, orderNo), {
      back: () => `/orders/lookup?${back}`,
      notFound: 'flash',
    })
  }
}
