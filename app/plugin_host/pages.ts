import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import { recordTenantAudit } from '#audit'
import { withTenant } from '#tenancy'
import type { PluginPageContext, PluginPageResponse, PluginRoute } from './sdk/pages.js'
import { enabledPluginsFor } from './installs.js'
import { hooks } from './runtime.js'
import { pluginTranslator } from './assets.js'
import { issueContext } from './sdk_internals.js'

/**
 * Plugin pages (`definePlugin({ routes })`) under `/merchant/plugins/<id>/…`: the route
 * file (start/routes/merchant_plugin_pages.ts) puts them behind the merchant middleware
 * and the controller checks the owner policy; here: the plugin must be loaded, have the
 * route, and be installed AND enabled for this shop (else 404), then its handler runs with
 * a page context (settings, store, translator, render/redirect) within its time budget.
 */

export const DEFAULT_PAGE_TIMEOUT_MS = 15_000

export class PluginPageNotFound extends Error {
  constructor() {
    super('plugin page not found')
    this.name = 'PluginPageNotFound'
  }
}

/** Match `path` (`/a/12/b`) against a route pattern (`/a/:id/b`); params or null. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean)
  const got = path.split('/').filter(Boolean)
  if (want.length !== got.length) return null
  const params: Record<string, string> = {}
  for (const [i, segment] of want.entries()) {
    if (segment.startsWith(':')) {
      const value = got[i]
      if (!/^[A-Za-z0-9_.~-]{1,200}$/.test(value)) return null
      params[segment.slice(1)] = value
    } else if (segment !== got[i]) return null
  }
  return params
}

function firstValues(input: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(input ?? {})) {
    const v = Array.isArray(value) ? value[0] : value
    if (typeof v === 'string') out[key] = v
  }
  return out
}

function relative(path: string): string | null {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) return null
  // eslint-disable-next-line no-control-regex
  if (path.includes('..') || path.includes('\\') || /[\u0000-\u001f]/.test(path)) return null
  return path
}

/** The plugin's page handler threw, timed out or answered something unusable. */
export class PluginPageFailed extends Error {
  constructor(
    readonly pluginId: string,
    readonly reason: 'error' | 'timeout' | 'invalid_output'
  ) {
    super(`plugin ${pluginId} page failed (${reason})`)
    this.name = 'PluginPageFailed'
  }
}

class PageTimeout extends Error {}

/** Serve one plugin page request for the shop in `ctx.tenant` (actor: the merchant user). */
export async function servePluginPage(ctx: HttpContext, actor: { userId: number }) {
  const tenant = ctx.tenant!
  const pluginId: string = ctx.params.pluginId
  const method = ctx.request.method() === 'POST' ? 'POST' : 'GET'
  const rest: string[] = ctx.params['*'] ?? []
  const path = '/' + rest.join('/')
  const plugin = hooks.plugin(pluginId)
  let route: PluginRoute | undefined
  let params: Record<string, string> | null = null
  for (const candidate of plugin?.routes ?? []) {
    if (candidate.method !== method) continue
    params = matchRoute(candidate.path, path)
    if (params) {
      route = candidate
      break
    }
  }
  if (!plugin || !route || !params) throw new PluginPageNotFound()
  const { plugins } = await withTenant((trx) => enabledPluginsFor(trx, tenant.id), tenant)
  const enabled = plugins.find((p) => p.id === pluginId)
  if (!enabled) throw new PluginPageNotFound()

  const base = `/merchant/plugins/${pluginId}`
  const locale = ctx.i18n.locale
  const t = pluginTranslator(pluginId, locale)
  const controller = new AbortController()
  const page: PluginPageContext = issueContext({
    tenantId: tenant.id,
    pluginId,
    settings: enabled.settings,
    method,
    path,
    params,
    query: firstValues(ctx.request.qs()),
    body: method === 'POST' ? { ...ctx.request.body() } : {},
    locale,
    t,
    render: (view, data = {}, options = {}) => ({
      kind: 'render' as const,
      view,
      data,
      title: options.title ?? plugin.name,
      status: options.status ?? 200,
    }),
    redirect: (to, flash) => ({ kind: 'redirect' as const, to, flash: flash ?? null }),
    notFound: () => ({ kind: 'not_found' as const }),
    signal: controller.signal,
    log: {
      info: (msg, data) => logger.info({ pluginId, tenantId: tenant.id, ...data }, msg),
      warn: (msg, data) => logger.warn({ pluginId, tenantId: tenant.id, ...data }, msg),
    },
  })

  if (method === 'POST') {
    await withTenant(
      (trx) =>
        recordTenantAudit(trx, tenant.id, {
          actor: { type: 'user', id: actor.userId },
          action: 'plugin.page_action',
          target: { type: 'plugin', id: pluginId },
          ip: ctx.request.ip(),
          metadata: { method, path },
        }),
      tenant
    )
  }

  const timeoutMs = route.timeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS
  let timer: NodeJS.Timeout | undefined
  const started = performance.now()
  let response: PluginPageResponse
  try {
    response = await Promise.race([
      Promise.resolve().then(() => route.handler(page)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PageTimeout()), timeoutMs)
      }),
    ])
    hooks.metrics.record(
      pluginId,
      `page ${method} ${route.path}`,
      performance.now() - started,
      'ok'
    )
  } catch (error) {
    const reason = error instanceof PageTimeout ? 'timeout' : 'error'
    if (reason === 'timeout') controller.abort()
    hooks.metrics.record(
      pluginId,
      `page ${method} ${route.path}`,
      performance.now() - started,
      reason
    )
    logger.warn(
      {
        pluginId,
        tenantId: tenant.id,
        path,
        reason,
        err: (error as Error)?.message?.slice(0, 300),
      },
      'plugin page failed'
    )
    throw new PluginPageFailed(pluginId, reason)
  } finally {
    clearTimeout(timer)
  }

  switch (response?.kind) {
    case 'render': {
      const view = String(response.view)
      if (!plugin.views || !/^[a-z0-9_][a-z0-9_/.-]*$/i.test(view) || view.includes('..')) {
        logger.warn({ pluginId, view }, 'plugin page: no such view')
        throw new PluginPageFailed(pluginId, 'invalid_output')
      }
      const hostT = ctx.i18n.t.bind(ctx.i18n)
      let body: string
      try {
        body = await ctx.view.render(`plugins.${pluginId}::${view}`, {
          ...response.data,
          t: pluginTranslator(pluginId, locale, (key, data) => hostT(key, data as any)),
          base,
        })
      } catch (error) {
        logger.warn(
          { pluginId, view, err: (error as Error)?.message?.slice(0, 300) },
          'plugin view failed'
        )
        throw new PluginPageFailed(pluginId, 'error')
      }
      ctx.response.status(response.status)
      return ctx.view.render('pages/merchant/plugins/page', {
        title: response.title,
        body,
      })
    }
    case 'redirect': {
      const to = relative(response.to)
      if (!to) {
        logger.warn({ pluginId }, 'plugin page: redirect outside its pages refused')
        throw new PluginPageFailed(pluginId, 'invalid_output')
      }
      if (response.flash?.notice) ctx.session.flash('notice', String(response.flash.notice))
      if (response.flash?.error) ctx.session.flash('error', String(response.flash.error))
      return ctx.response.redirect(to === '/' ? `${base}/` : `${base}${to}`)
    }
    case 'not_found':
      throw new PluginPageNotFound()
    default:
      throw new PluginPageFailed(pluginId, 'invalid_output')
  }
}

/**
 * The merchant menu entries the shop's enabled plugins add (`merchant.menu`), labels
 * translated with each plugin's translations. No query when no loaded plugin adds any.
 */
export async function pluginMenu(ctx: HttpContext) {
  if (!hooks.handles('merchant.menu') || !ctx.tenant) return []
  const tenant = ctx.tenant
  const { plugins } = await withTenant((trx) => enabledPluginsFor(trx, tenant.id), tenant)
  if (!plugins.length) return []
  const items = await hooks.applyFilter('merchant.menu', [], { tenantId: tenant.id, plugins })
  return items.map((item) => {
    const owner = /^\/merchant\/plugins\/([a-z0-9-]+)\//.exec(item.href)?.[1] ?? ''
    return { label: pluginTranslator(owner, ctx.i18n.locale)(item.label), href: item.href }
  })
}
