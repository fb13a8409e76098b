import type { HttpContext } from '@adonisjs/core/http'
import ShopSettingsPolicy from '#policies/shop_settings_policy'
import { allowOrForbid, requireMember } from '#middleware/merchant_middleware'
import {
  getCheckoutSettings,
  MAX_RESERVATION_TTL,
  MIN_RESERVATION_TTL,
  parseReservationTtl,
  updateCheckoutSettings,
} from '#actions/merchant/settings/checkout_settings'

/** Checkout settings (owners): how long a placed order holds its stock. */
export default class CheckoutSettingsController {
  async show(ctx: HttpContext) {
    await allowOrForbid(ctx.bouncer.with(ShopSettingsPolicy).allows('manage', requireMember(ctx)))
    const settings = await getCheckoutSettings()
    return this.#render(ctx, String(settings.reservationTtlMinutes), null)
  }

  async update(ctx: HttpContext) {
    const member = requireMember(ctx)
    await allowOrForbid(ctx.bouncer.with(ShopSettingsPolicy).allows('manage', member))
    const raw = ctx.request.input('reservationTtlMinutes')
    const minutes = parseReservationTtl(raw)
    if (minutes === null) {
      ctx.response.status(422)
      return this.#render(ctx, typeof raw === 'string' ? raw.slice(0, 20) : '', 'ttl')
    }
    const changed = await updateCheckoutSettings({
      member,
      reservationTtlMinutes: minutes,
      ip: ctx.request.ip(),
    })
    ctx.session.flash(
      'notice',
      ctx.i18n.t(changed ? 'settings.checkout.saved' : 'settings.checkout.unchanged')
    )
    return ctx.response.redirect('/merchant/settings/checkout')
  }

  #render(ctx: HttpContext, value: string, error: string | null) {
    return ctx.view.render('pages/merchant/settings/checkout', {
      value,
      error: error
        ? ctx.i18n.t(`settings.checkout.errors.${error}`, {
            min: MIN_RESERVATION_TTL,
            max: MAX_RESERVATION_TTL,
          })
        : null,
      min: MIN_RESERVATION_TTL,
      max: MAX_RESERVATION_TTL,
    })
  }
}
