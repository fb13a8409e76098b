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

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** The shop this request is for; undefined on the platform site. */
    tenant: import('#tenancy').TenantRef | undefined
  }
}
