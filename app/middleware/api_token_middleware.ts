import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import limiter from '@adonisjs/limiter/services/main'
import { TenantAccessToken } from '#auth/tenant_access_tokens_provider'
import type { TenantApiAbility } from '#auth/tenant_api_abilities'
import { TenantApiException } from '#exceptions/tenant_api_exception'
import FindMembership, { type MerchantMember } from '#actions/merchant/session/find_membership'

/**
 * Requests allowed per token per window. A mutable object so an operator hook (or a test)
 * can tune it at boot.
 */
export const TENANT_API_RATE = { requests: 120, duration: '1 minute' }

/** The limiter key of one token: tenant-qualified id, never the token value. */
export function tenantApiRateKey(tenantId: number, tokenId: number | string) {
  return `tenant_api:${tenantId}:${tokenId}`
}

/**
 * Tenant API gate (named middleware `apiToken`), on shop hosts under `/api/v1`:
 *
 * 1. authenticates the bearer token with the `api` guard; the token provider only knows
 *    tokens of the shop in context, and the token's shop is checked again here, so a token
 *    of shop A on shop B's host is 401 exactly like a wrong one;
 * 2. the token's user must still be a member of the shop (401 otherwise);
 * 3. rate limit per token (429 with `Retry-After`; `X-RateLimit-*` headers);
 * 4. `ability` (per route) must be among the token's abilities (403);
 *
 * then `ctx.member` is the token user's membership. Failures render as
 * `{ errors: [{ code, message }] }` (TenantApiException).
 */
export default class ApiTokenMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { ability?: TenantApiAbility } = {}) {
    try {
      ctx.member = await this.#admit(ctx, options.ability)
    } catch (error) {
      throw TenantApiException.from(error) ?? error
    }
    return next()
  }

  async #admit(ctx: HttpContext, ability?: TenantApiAbility): Promise<MerchantMember> {
    const tenant = ctx.tenant
    if (!tenant) throw TenantApiException.notFound()

    const user = await ctx.auth
      .use('api')
      .authenticate()
      .catch(() => {
        throw TenantApiException.unauthorized()
      })
    const token = user.currentAccessToken
    if (!(token instanceof TenantAccessToken) || token.tenantId !== tenant.id) {
      throw TenantApiException.unauthorized()
    }
    const member = await FindMembership.handle(user.id)
    if (!member) throw TenantApiException.unauthorized()

    const rate = await limiter
      .use(TENANT_API_RATE)
      .consume(tenantApiRateKey(tenant.id, String(token.identifier)))
    ctx.response.header('X-RateLimit-Limit', rate.limit)
    ctx.response.header('X-RateLimit-Remaining', rate.remaining)

    if (ability && !token.allows(ability)) throw TenantApiException.missingAbility(ability)
    return member
  }
}
