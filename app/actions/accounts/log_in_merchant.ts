import hash from '@adonisjs/core/services/hash'
import type User from '#models/user'
import { findUserByEmail } from '#actions/accounts/find_user_by_email'
import {
  assertNotLocked,
  clearFailures,
  emailKey,
  recordFailure,
  TooManyAttemptsException,
  type ThrottleKey,
} from '#actions/accounts/throttles'

/** Errors as data: a wrong password is an expected outcome, not an exception. */
export type LoginResult =
  { ok: true; user: User; verified: boolean } | { ok: false; reason: 'credentials' }

/** The failure gates of one login attempt: per address and per client IP. */
export function loginGates(scope: 'merchant' | 'admin', email: string, ip: string): ThrottleKey[] {
  return [
    { policy: 'loginEmail', key: `${scope}:${emailKey(email)}` },
    { policy: 'loginIp', key: `${scope}:${ip}` },
  ]
}

/**
 * Check a merchant's email and password on the platform site. Rate limited per address
 * and per IP (THROTTLES.loginEmail / loginIp): a locked gate refuses even the right
 * password until it expires, and the failure that reaches the limit already says so.
 * An unknown address costs one scrypt like a known one.
 */
export default class LogInMerchant {
  async handle(input: { email: string; password: string; ip: string }): Promise<LoginResult> {
    const gates = loginGates('merchant', input.email, input.ip)
    await assertNotLocked(gates, 'login')

    const user = await findUserByEmail(input.email)
    const valid = user
      ? await user.verifyPassword(input.password)
      : (await hash.use('scrypt').make(input.password), false)

    if (!user || !valid) {
      const wait = await recordFailure(gates)
      if (wait > 0) throw new TooManyAttemptsException(wait, 'login')
      return { ok: false, reason: 'credentials' }
    }

    // Only the address gate resets: one good account must not reset an IP's failures.
    await clearFailures(gates.slice(0, 1))
    return { ok: true, user, verified: user.emailVerifiedAt !== null }
  }
}
