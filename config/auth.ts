import { defineConfig } from '@adonisjs/auth'
import { sessionGuard, sessionUserProvider } from '@adonisjs/auth/session'
import { tokensGuard, tokensUserProvider } from '@adonisjs/auth/access_tokens'
import type { InferAuthenticators, InferAuthEvents, Authenticators } from '@adonisjs/auth/types'
import { configProvider } from '@adonisjs/core'

/**
 * Guards, one per audience. Session cookies are host-only, so a login on the platform
 * site, on shop A and on shop B are three separate sessions.
 *
 * - `web`   merchant users (owners, staff) in their shop's dashboard; membership is checked
 *           per shop by the `merchant` middleware.
 * - `admin` platform admins on the platform site (lookups on the platform role).
 * - `buyer` optional buyer accounts of one shop (lookups under RLS).
 * - `api`   tenant API access tokens with abilities; a token only works on its own shop.
 */
const authConfig = defineConfig({
  default: 'web',
  guards: {
    web: sessionGuard({
      useRememberMeTokens: false,
      provider: sessionUserProvider({ model: () => import('#models/user') }),
    }),
    admin: sessionGuard({
      useRememberMeTokens: false,
      provider: configProvider.create(async () => {
        const { AdminUserProvider } = await import('#auth/admin_user_provider')
        return new AdminUserProvider()
      }),
    }),
    buyer: sessionGuard({
      useRememberMeTokens: false,
      provider: configProvider.create(async () => {
        const { BuyerUserProvider } = await import('#auth/buyer_user_provider')
        return new BuyerUserProvider()
      }),
    }),
    api: tokensGuard({
      provider: tokensUserProvider({ tokens: 'accessTokens', model: () => import('#models/user') }),
    }),
  },
})

export default authConfig

declare module '@adonisjs/auth/types' {
  export interface Authenticators extends InferAuthenticators<typeof authConfig> {}
}
declare module '@adonisjs/core/types' {
  interface EventsList extends InferAuthEvents<Authenticators> {}
}
