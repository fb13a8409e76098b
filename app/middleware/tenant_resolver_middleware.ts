import env from '#start/env'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import {
  classifyHost,
  tenantDirectory,
  tenantStorage,
  ShopNotFoundException,
  ShopSuspendedException,
} from '#tenancy'

/**
 * A rejected shop is a 404 to the world, but its owner must still reach the dashboard to
 * read the platform's review note (and switch language there).
 */
function reachableWhenRejected(path: string) {
  return path === '/merchant' || path.startsWith('/merchant/') || path.startsWith('/locale/')
}

/**
 * Server middleware: every request is classified by its `Host` before routing.
 * Foreign host → 404 with no tenant; unknown shop, or a rejected shop outside its
 * dashboard → the same 404;
 * suspended shop → notice page; otherwise the shop becomes the request's tenant
 * (in `ctx.tenant` and in AsyncLocalStorage for `withTenant`).
 */
export default class TenantResolverMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    normalizeRequest(ctx)
    const match = classifyHost(ctx.request.hostname(), env.get('PLATFORM_DOMAIN'))
    ctx.tenant = undefined
    if (match.kind === 'platform') return next()
    if (match.kind === 'foreign') throw new ShopNotFoundException('Unknown host')

    const tenant = await tenantDirectory.findBySlug(match.slug)
    if (!tenant) throw new ShopNotFoundException('Unknown shop')
    if (tenant.status === 'rejected' && !reachableWhenRejected(ctx.request.url())) {
      throw new ShopNotFoundException('Unknown shop')
    }
    if (tenant.status === 'suspended') throw new ShopSuspendedException('Shop suspended')

    ctx.tenant = tenant
    return tenantStorage.run({ tenant }, () => next())
  }
}

/**
 * Make the request safe for routing, which runs after this middleware:
 * - host names are case-insensitive but route domains match case-sensitively, so the
 *   `Host` header is lower-cased;
 * - method spoofing reads `?_method=` and calls `toUpperCase()` on it, so a non-string
 *   `_method` (`?_method[]=x`) is dropped instead of crashing the router.
 */
function normalizeRequest(ctx: HttpContext) {
  const headers = ctx.request.request.headers
  if (typeof headers.host === 'string') headers.host = headers.host.toLowerCase()

  const qs = ctx.request.qs()
  if ('_method' in qs && typeof qs._method !== 'string') {
    const rest = { ...qs }
    delete rest._method
    ctx.request.updateQs(rest)
  }
}

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** The shop this request is for; undefined on the platform site. */
    tenant: import('#tenancy').TenantRef | undefined
  }
}
