import app from '@adonisjs/core/services/app'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import i18nManager from '@adonisjs/i18n/services/main'

/**
 * Debug pages (youch, stack traces) only outside production. In production HTML requests
 * get the status pages below and JSON requests a `{ errors: [...] }` body, never a trace.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction
  protected renderStatusPages = app.inProduction

  /** Client errors are expected traffic (bad links, probes), not incidents. */
  protected ignoreStatuses = [400, 401, 403, 404, 405, 413, 422, 429]

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '404': (_error, ctx) => ctx.view.render('pages/errors/not_found', this.#viewState(ctx)),
    '500..599': (_error, ctx) => ctx.view.render('pages/errors/server_error', this.#viewState(ctx)),
  }

  #viewState(ctx: HttpContext) {
    const i18n =
      ctx.i18n ??
      i18nManager.locale(
        i18nManager.getSupportedLocaleFor(ctx.request.languages()) ?? i18nManager.defaultLocale
      )
    return { i18n, t: i18n.t.bind(i18n) }
  }

  async handle(error: unknown, ctx: HttpContext) {
    return super.handle(error, ctx)
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
