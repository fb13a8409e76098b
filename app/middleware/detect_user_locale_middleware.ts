import { I18n } from '@adonisjs/i18n'
import i18nManager from '@adonisjs/i18n/services/main'
import type { NextFn } from '@adonisjs/core/types/http'
import { type HttpContext, RequestValidator } from '@adonisjs/core/http'

/** Cookie set by the language switch (`GET /locale/:locale`). */
export const LOCALE_COOKIE = 'lk_locale'

/**
 * Locale of a request: the language switch cookie, else the shop's default language on a
 * shop host, else the browser's `Accept-Language`, else English. Validation messages
 * come from the same locale, so form errors are in the user's language.
 */
export default class DetectUserLocaleMiddleware {
  static {
    RequestValidator.messagesProvider = (ctx) => {
      return ctx.i18n.createMessagesProvider()
    }
  }

  protected getRequestLocale(ctx: HttpContext) {
    const chosen = ctx.request.plainCookie(LOCALE_COOKIE, { encoded: false })
    if (typeof chosen === 'string') {
      const supported = i18nManager.getSupportedLocaleFor([chosen])
      if (supported) return supported
    }
    const fromBrowser = i18nManager.getSupportedLocaleFor(ctx.request.languages())
    if (ctx.tenant && !ctx.request.header('accept-language')) {
      return i18nManager.getSupportedLocaleFor([ctx.tenant.defaultLocale]) ?? fromBrowser
    }
    return fromBrowser
  }

  async handle(ctx: HttpContext, next: NextFn) {
    const language = this.getRequestLocale(ctx)
    ctx.i18n = i18nManager.locale(language || i18nManager.defaultLocale)
    ctx.containerResolver.bindValue(I18n, ctx.i18n)
    if ('view' in ctx) {
      ctx.view.share({
        i18n: ctx.i18n,
        t: ctx.i18n.t.bind(ctx.i18n),
        tenant: ctx.tenant,
        currentPath: ctx.request.url(),
      })
    }
    return next()
  }
}

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    i18n: I18n
  }
}
