import { errors as authErrors } from '@adonisjs/auth'
import User from '#models/user'
import type { TenantRef } from '#tenancy'
import FindMembership from '#actions/merchant/session/find_membership'
import { merchantLoginThrottle } from '#actions/merchant/session/login_throttle'

/** What a login attempt came to; the controller turns each into a response. */
export type LogInResult =
  | { kind: 'ok'; user: User }
  /** Wrong password, unknown email, or not a member of this shop: indistinguishable. */
  | { kind: 'invalid' }
  | { kind: 'unverified'; email: string }
  | { kind: 'throttled'; retryAfterSeconds: number }

/**
 * Dashboard login on a shop host: the password must be right AND the user must be a
 * member of this shop; otherwise the same "invalid" answer, counted by the throttle. An
 * account whose email is not verified yet is told to verify first.
 */
export default class LogInMerchant {
  static async handle(input: {
    tenant: TenantRef
    email: string
    password: string
    ip: string
  }): Promise<LogInResult> {
    const throttle = merchantLoginThrottle(input.tenant.slug, input.email, input.ip)
    try {
      const [throttled, user] = await throttle.penalize(async () => {
        const candidate = await User.verifyCredentials(input.email, input.password)
        const member = await FindMembership.handle(candidate.id, input.tenant)
        if (!member) throw new authErrors.E_INVALID_CREDENTIALS('Not a member of this shop')
        return candidate
      })
      if (throttled) return { kind: 'throttled', retryAfterSeconds: throttled.response.availableIn }
      if (!user.emailVerifiedAt) return { kind: 'unverified', email: user.email }
      return { kind: 'ok', user }
    } catch (error) {
      if (error instanceof authErrors.E_INVALID_CREDENTIALS) return { kind: 'invalid' }
      throw error
    }
  }
}
