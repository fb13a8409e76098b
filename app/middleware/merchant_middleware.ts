import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { ShopNotFoundException } from '#tenancy'
import FindMembership, { type MerchantMember } from '#actions/merchant/session/find_membership'
import { MerchantForbiddenException } from '#actions/merchant/errors'
import { pluginMenu } from '#plugin_host/pages'

/**
 * The merchant dashboard's gate (named middleware `merchant`), on shop hosts only:
 *
 * 1. a `web` session is required (HTML → `/merchant/login`, JSON → 401);
 * 2. the user must have a verified email and be a member of THIS shop, looked up on every
 *    request, so a removal or role change takes effect at once; otherwise the session is
 *    ended and the user is sent to the login page;
 * 3. `ctx.member` (and `member` in views) holds the membership for policies.
 */
export default class MerchantMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!ctx.tenant) throw new ShopNotFoundException('Merchant area outside a shop host')
    await ctx.auth.authenticateUsing(['web'], { loginRoute: '/merchant/login' })
    const user = ctx.auth.use('web').getUserOrFail()

    const member = user.emailVerifiedAt ? await FindMembership.handle(user.id) : null
    if (!member) {
      await ctx.auth.use('web').logout()
      ctx.session.flash(
        'error',
        ctx.i18n.t(user.emailVerifiedAt ? 'merchant.login.no_access' : 'merchant.login.unverified')
      )
      return ctx.response.redirect('/merchant/login')
    }

    ctx.member = member
    ctx.view.share({
      member,
      merchantUser: { email: user.email, fullName: user.fullName },
      // Menu entries of the shop's enabled plugins (`merchant.menu`), owners only; computed
      // when the dashboard frame renders, no query when no loaded plugin adds entries.
      pluginMenu: () => (member.role === 'owner' ? pluginMenu(ctx) : Promise.resolve([])),
    })
    return next()
  }
}

/**
 * Turn a policy check into the merchant 403 page. Bouncer's own `authorize()` answers a
 * denied form submission with a redirect back; a refused write must be a plain 403.
 *
 * @example await allowOrForbid(ctx.bouncer.with(StaffPolicy).allows('invite', member))
 */
export async function allowOrForbid(check: Promise<boolean>): Promise<void> {
  if (!(await check)) throw new MerchantForbiddenException('Denied by policy')
}

/** The membership the `merchant` middleware found; throws outside that middleware. */
export function requireMember(ctx: HttpContext): MerchantMember {
  if (!ctx.member) throw new Error('E_MEMBER_MISSING: route is not behind the merchant middleware')
  return ctx.member
}

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** The signed-in user's membership in `ctx.tenant` (merchant routes and tenant API). */
    member: MerchantMember | undefined
  }
}
