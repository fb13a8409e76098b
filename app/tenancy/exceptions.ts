import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * Unknown shop, rejected shop, or a host that is not ours: one identical 404 page, so the
 * response says nothing about other shops.
 */
export class ShopNotFoundException extends Exception {
  static status = 404
  static code = 'E_SHOP_NOT_FOUND'

  async handle(_error: this, ctx: HttpContext) {
    ctx.response.status(404)
    if (!ctx.request.accepts(['html'])) {
      return ctx.response.send({ errors: [{ code: 'E_NOT_FOUND', message: 'Not found' }] })
    }
    return ctx.response.send(await renderStatusView(ctx, 'pages/errors/not_found'))
  }
}

/** The shop exists but a platform admin suspended it. */
export class ShopSuspendedException extends Exception {
  static status = 403
  static code = 'E_SHOP_SUSPENDED'

  async handle(_error: this, ctx: HttpContext) {
    ctx.response.status(403)
    if (!ctx.request.accepts(['html'])) {
      return ctx.response.send({
        errors: [{ code: 'E_SHOP_SUSPENDED', message: 'Shop suspended' }],
      })
    }
    return ctx.response.send(await renderStatusView(ctx, 'pages/errors/shop_suspended'))
  }
}

async function renderStatusView(ctx: HttpContext, view: string) {
  const { default: i18nManager } = await import('@adonisjs/i18n/services/main')
  const locale =
    i18nManager.getSupportedLocaleFor(ctx.request.languages()) ?? i18nManager.defaultLocale
  const i18n = i18nManager.locale(locale)
  return ctx.view.render(view, { i18n, t: i18n.t.bind(i18n) })
}
