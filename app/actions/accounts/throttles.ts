import { createHash } from 'node:crypto'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'

/** One limit: `requests` per `duration`. */
export interface ThrottlePolicy {
  requests: number
  duration: string
  /** Failure gates only: how long a key stays locked once it reaches `requests`. */
  blockDuration?: string
}

export type ThrottleName =
  'loginEmail' | 'loginIp' | 'signupIp' | 'resetIp' | 'resetEmail' | 'resendUser' | 'resendIp'

/**
 * Rate limits of the account flows. Counters live in the limiter store (LIMITER_STORE:
 * Redis in production and tests), so every web process sees the same counts.
 *
 * - failure gates (login): only failed attempts count; at the limit the key is blocked.
 * - request budgets (sign-up, reset mails, resends): every request counts.
 */
export const THROTTLES: Record<ThrottleName, ThrottlePolicy> = {
  loginEmail: { requests: 5, duration: '15 mins', blockDuration: '15 mins' },
  loginIp: { requests: 20, duration: '15 mins', blockDuration: '15 mins' },
  signupIp: { requests: 10, duration: '1 hour' },
  resetIp: { requests: 10, duration: '1 hour' },
  resetEmail: { requests: 3, duration: '1 hour' },
  resendUser: { requests: 3, duration: '1 hour' },
  resendIp: { requests: 10, duration: '1 hour' },
}

/** One counter: a policy and the key it counts (an IP, a hashed email, a user id). */
export interface ThrottleKey {
  policy: ThrottleName
  key: string
}

/** What a lockout message is about; selects `auth.throttle.<reason>`. */
export type ThrottleReason = 'login' | 'signup' | 'reset' | 'resend'

/** Emails are hashed before they become limiter keys, so the store holds no addresses. */
export function emailKey(email: string) {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32)
}

function use(policy: ThrottleName) {
  return limiter.use({ ...THROTTLES[policy] })
}

function storeKey({ policy, key }: ThrottleKey) {
  return `${policy}:${key}`
}

/** Too many attempts: a 429 page (or JSON) in the user's language with the wait time. */
export class TooManyAttemptsException extends Exception {
  static status = 429
  static code = 'E_TOO_MANY_ATTEMPTS'

  constructor(
    public retryAfterSeconds: number,
    public reason: ThrottleReason
  ) {
    super('Too many attempts', { status: 429, code: 'E_TOO_MANY_ATTEMPTS' })
  }

  async handle(error: this, ctx: HttpContext) {
    const seconds = Math.max(1, error.retryAfterSeconds)
    const minutes = Math.ceil(seconds / 60)
    const message = ctx.i18n.t(`auth.throttle.${error.reason}`, { minutes })
    ctx.response.header('Retry-After', String(seconds))
    ctx.response.status(429)
    if (ctx.request.accepts(['html', 'json']) === 'json') {
      return ctx.response.send({
        errors: [{ code: 'E_TOO_MANY_ATTEMPTS', message, retryAfter: seconds }],
      })
    }
    return ctx.response.send(await ctx.view.render('pages/platform/too_many_attempts', { message }))
  }
}

/** Throw when any of the failure gates is exhausted (before trying the password). */
export async function assertNotLocked(keys: ThrottleKey[], reason: ThrottleReason) {
  let wait = 0
  for (const entry of keys) {
    const state = await use(entry.policy).get(storeKey(entry))
    if (state && state.remaining <= 0) wait = Math.max(wait, state.availableIn)
  }
  if (wait > 0) throw new TooManyAttemptsException(wait, reason)
}

/**
 * Count one failure on every gate; a gate that reaches its limit is blocked for its
 * block duration. Returns the wait in seconds when this failure locked a gate, else 0.
 */
export async function recordFailure(keys: ThrottleKey[]): Promise<number> {
  let wait = 0
  for (const entry of keys) {
    const policy = THROTTLES[entry.policy]
    const store = use(entry.policy)
    const state = await store.increment(storeKey(entry))
    if (state.consumed >= state.limit) {
      const blocked = policy.blockDuration
        ? await store.block(storeKey(entry), policy.blockDuration)
        : state
      wait = Math.max(wait, blocked.availableIn)
    }
  }
  return wait
}

/** Forget the failures on these gates (after a successful login). */
export async function clearFailures(keys: ThrottleKey[]) {
  for (const entry of keys) await use(entry.policy).delete(storeKey(entry))
}

/** Spend one request from every budget, or throw when one is exhausted. */
export async function consumeOrThrow(keys: ThrottleKey[], reason: ThrottleReason) {
  for (const entry of keys) {
    try {
      await use(entry.policy).consume(storeKey(entry))
    } catch (error) {
      if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
        throw new TooManyAttemptsException(error.response.availableIn, reason)
      }
      throw error
    }
  }
}

/** Spend one request if the budget allows; false (silently) when it is exhausted. */
export async function tryConsume(entry: ThrottleKey): Promise<boolean> {
  try {
    await use(entry.policy).consume(storeKey(entry))
    return true
  } catch (error) {
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) return false
    throw error
  }
}
