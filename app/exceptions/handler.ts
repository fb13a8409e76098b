import app from '@adonisjs/core/services/app'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import i18nManager from '@adonisjs/i18n/services/main'

/**
 * Debug pages (youch, stack traces) only outside production. In production HTML requests
 * get localized status pages and JSON requests an `{ errors: [...] }` body; a 5xx never
 * echoes the internal error message.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction
  protected renderStatusPages = app.inProduction

  /** Client errors are expected traffic (bad links, probes), not incidents. */
  protected ignoreStatuses = [400, 401, 403, 404, 405, 413, 415, 422, 429]

  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '400..403': (_error, ctx) => ctx.view.render('pages/errors/bad_request', this.#viewState(ctx)),
    '404': (_error, ctx) => ctx.view.render('pages/errors/not_found', this.#viewState(ctx)),
    '405..499': (_error, ctx) => ctx.view.render('pages/errors/bad_request', this.#viewState(ctx)),
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
    classifyClientError(error)
    const status = (error as { status?: number }).status ?? 500
    if (app.inProduction && status >= 500 && !ctx.request.accepts(['html'])) {
      return ctx.response
        .status(status)
        .send({ errors: [{ code: 'E_INTERNAL', message: 'Internal server error' }] })
    }
    return super.handle(error, ctx)
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}

/**
 * Errors raised while reading a malformed request carry no HTTP status: a body that lies
 * about its `Content-Encoding` surfaces as a zlib error. They are the client's fault (400).
 */
function classifyClientError(error: unknown) {
  if (!error || typeof error !== 'object') return
  const e = error as { code?: unknown; status?: number }
  if (e.status === undefined && typeof e.code === 'string' && e.code.startsWith('Z_')) {
    e.status = 400
  }
}
