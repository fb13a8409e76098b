import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { Authenticators } from '@adonisjs/auth/types'

/** Where each guard sends an unauthenticated visitor. */
const LOGIN_PAGES: Record<keyof Authenticators, string> = {
  web: '/merchant/login',
  admin: '/admin/login',
  buyer: '/account/login',
  api: '/',
}

/**
 * Require an authenticated user on one of the given guards (default: `web`).
 * HTML requests are redirected to that guard's login page; API requests get 401.
 */
export default class AuthMiddleware {
  async handle(
    ctx: HttpContext,
    next: NextFn,
    options: { guards?: (keyof Authenticators)[] } = {}
  ) {
    const guards = options.guards ?? ['web']
    await ctx.auth.authenticateUsing(guards, { loginRoute: LOGIN_PAGES[guards[0]] })
    return next()
  }
}
