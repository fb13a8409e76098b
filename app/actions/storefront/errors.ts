import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'

/**
 * Too many attempts on a storefront form (login, sign-up, password reset). HTML clients get
 * a page in their language with the wait time; others a JSON error. Always 429 + Retry-After.
 */
export class StorefrontThrottledException extends Exception {
  static status = 429
  static code = 'E_STOREFRONT_THROTTLED'

  constructor(public retryAfterSeconds: number) {
    super('Too many attempts', { status: 429, code: 'E_STOREFRONT_THROTTLED' })
  }

  async handle(error: this, ctx: HttpContext) {
    const seconds = Math.max(1, Math.ceil(error.retryAfterSeconds))
    const minutes = Math.ceil(seconds / 60)
    const message = ctx.i18n.t('storefront.throttled.message', { minutes })
    ctx.response.status(429).header('Retry-After', String(seconds))
    if (!ctx.request.accepts(['html'])) {
      return ctx.response.send({ errors: [{ code: error.code, message, retryAfter: seconds }] })
    }
    const back = ctx.request.url()
    return ctx.response.send(await ctx.view.render('pages/storefront/throttled', { message, back }))
  }
}
