import type { HttpContext } from '@adonisjs/core/http'
import { requireTenant } from '#tenancy'
import { createOrder, CouponError, DeliveryError } from '#delivery'
import { PluginVeto } from '#plugin_sdk'
import { formatMinor } from '#ledger/settlement/format'
import { parseCheckout } from '#validators/storefront/checkout'
import { consumeCheckout } from '#actions/storefront/orders/limits'
import { checkoutLink } from '#actions/storefront/catalog/product_link'

/** Checkout error codes → message keys (shop_orders.errors.*). */
const ERROR_KEYS: Record<string, string> = {
  E_SOLD_OUT: 'sold_out',
  E_INVALID_QUANTITY: 'quantity',
  E_QUANTITY_OUT_OF_RANGE: 'quantity_range',
  E_BUYER_LIMIT: 'buyer_limit',
  E_PRODUCT_NOT_FOUND: 'unavailable',
  E_PRODUCT_UNAVAILABLE: 'unavailable',
}

/**
 * POST /p/:id/checkout (`?k=<token>` for a hidden product) — creates a pending order; the price
 * comes from the server only.
 */
export default class CheckoutController {
  async store({ params, request, response, session, i18n, auth }: HttpContext) {
    const tenant = requireTenant()
    const productId = Number(params.id)
    if (!Number.isSafeInteger(productId) || productId <= 0) return response.notFound('Not found')
    // An unknown product, or a hidden one without its `?k=` key: the page's 404, nothing written.
    const link = await checkoutLink(tenant, productId, request.qs().k)
    if (!link) return response.notFound('Not found')
    const back = `/p/${productId}${link.query}`
    const coupon = request.input('couponCode')
    const fail = (key: string, message = i18n.t(`shop_orders.errors.${key}`)) => {
      session.flashOnly(['quantity', 'contactEmail'])
      // Kept for the form, cut to a code's length (a huge value must not bloat the session).
      if (typeof coupon === 'string') session.flash('couponCode', coupon.slice(0, 64))
      session.flash('error', message)
      return response.redirect(back)
    }
    // A refused coupon: the message at the top and at the field, the buyer's input kept.
    const couponFailed = (error: CouponError) => {
      const { minAmountMinor, currency } = error.details as Record<string, string | undefined>
      const message = i18n.t(`coupons.checkout.${error.code}`, {
        currency: currency ?? '',
        amount: minAmountMinor && currency ? formatMinor(BigInt(minAmountMinor), currency) : '',
      })
      session.flash('inputErrorsBag', { couponCode: [message] })
      return fail('coupon', message)
    }
    await consumeCheckout(tenant, request.ip())
    // A shop under review is visible but buyers cannot order yet (docs: Merchant dashboard).
    if (tenant.status !== 'active') return fail('not_open')
    const parsed = parseCheckout(request.only(['quantity', 'contactEmail', 'queryPassword']))
    if (!parsed.ok) return fail(parsed.field)
    if (coupon !== undefined && coupon !== null && typeof coupon !== 'string') {
      return couponFailed(new CouponError('E_COUPON_UNKNOWN', 'not a code'))
    }
    try {
      const created = await createOrder({
        tenant,
        productId,
        quantity: parsed.form.quantity,
        contactEmail: parsed.form.contactEmail,
        queryPassword: parsed.form.queryPassword,
        buyerId: auth.use('buyer').user?.id ?? null,
        couponCode: coupon || null,
      })
      return response.redirect(`/orders/${created.publicToken}`)
    } catch (error) {
      if (error instanceof CouponError) return couponFailed(error)
      // A plugin of this shop refused the checkout: its message, nothing written.
      if (error instanceof PluginVeto) return fail('plugin', error.fallbackMessage.slice(0, 300))
      if (error instanceof DeliveryError) {
        if (error.code === 'E_CHECKOUT_INVALID') {
          const field = String(error.details.field ?? 'contactEmail')
          return fail(['queryPassword', 'contactEmail'].includes(field) ? field : 'contactEmail')
        }
        return fail(ERROR_KEYS[error.code] ?? 'unavailable')
      }
      throw error
    }
  }
}
