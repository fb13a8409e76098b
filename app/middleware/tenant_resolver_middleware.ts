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
 * Server middleware: every request is classified by its `Host` before routing.
 * Foreign host → 404 with no tenant; unknown or rejected shop → the same 404;
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
    if (!tenant || tenant.status === 'rejected') throw new ShopNotFoundException('Unknown shop')
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
