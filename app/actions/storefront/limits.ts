import { createHash } from 'node:crypto'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { TenantRef } from '#tenancy'
import { StorefrontThrottledException } from '#actions/storefront/errors'

/** One storefront rate limit: attempts per window, and how long an exhausted key stays blocked. */
export interface StorefrontLimit {
  requests: number
  duration: string
  blockDuration?: string
}

/**
 * The storefront's rate limits (store: `LIMITER_STORE`). Keys are per shop and client IP, plus
 * the email where one is typed, so one shop's traffic never locks out another shop's buyers.
 */
export const STOREFRONT_LIMITS = {
  /** Failed logins per shop + IP + email; a successful login clears the count. */
  loginFailures: { requests: 5, duration: '15 minutes', blockDuration: '15 minutes' },
  /** All login attempts per shop + IP: one address trying many emails. */
  loginAttempts: { requests: 30, duration: '15 minutes' },
  /** Accounts created per shop + IP (also caps probing which emails are registered). */
  registrations: { requests: 10, duration: '1 hour' },
  /** Reset emails per shop + IP + email: nobody's inbox gets flooded. */
  resetRequestsPerEmail: { requests: 3, duration: '1 hour' },
  /** Reset emails per shop + IP, whatever the email. */
  resetRequests: { requests: 10, duration: '1 hour' },
  /** New-password submissions per shop + IP (token guessing). */
  resetSubmissions: { requests: 10, duration: '15 minutes' },
} as const satisfies Record<string, StorefrontLimit>

export type StorefrontLimitName = keyof typeof STOREFRONT_LIMITS

/** Who is trying: the shop, the client IP and, when typed, the email. */
export interface AttemptSource {
  tenant: TenantRef
  ip: string
  email?: string
}

/**
 * The limiter key for one limit and source. The email is hashed so the limiter store never
 * holds addresses; the shop slug (not the id) keeps keys distinct across databases that
 * share one Redis.
 */
export function limitKey(name: StorefrontLimitName, source: AttemptSource): string {
  const parts = ['storefront', name, source.tenant.slug, source.ip]
  if (source.email !== undefined) {
    parts.push(createHash('sha256').update(source.email.toLowerCase()).digest('hex').slice(0, 32))
  }
  return parts.join(':')
}

function limiterFor(name: StorefrontLimitName) {
  return limiter.use({ ...STOREFRONT_LIMITS[name] })
}

/**
 * Count one attempt against each named limit, in order.
 * @throws StorefrontThrottledException when any of them is exhausted.
 */
export async function consumeAttempt(source: AttemptSource, ...names: StorefrontLimitName[]) {
  for (const name of names) {
    try {
      await limiterFor(name).consume(limitKey(name, source))
    } catch (error) {
      if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
        throw new StorefrontThrottledException(error.response.availableIn)
      }
      throw error
    }
  }
}

/**
 * Run `attempt`; count a failure against `name` only when it throws (and block the key once
 * the limit is reached); clear the count when it succeeds.
 * @throws StorefrontThrottledException without running `attempt` while the key is exhausted.
 */
export async function penalizeFailures<T>(
  name: StorefrontLimitName,
  source: AttemptSource,
  attempt: () => Promise<T>
): Promise<T> {
  const [throttled, result] = await limiterFor(name).penalize(limitKey(name, source), attempt)
  if (throttled) throw new StorefrontThrottledException(throttled.response.availableIn)
  return result
}
