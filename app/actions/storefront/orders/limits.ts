import { createHash } from 'node:crypto'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { TenantRef } from '#tenancy'
import { StorefrontThrottledException } from '#actions/storefront/errors'

/**
 * Every rate limit of storefront checkout, order lookup, secret reveals and mail resends, in
 * one place. Keys always start with the shop slug, so one shop's traffic never locks out
 * another shop's buyers; IPs, order numbers and ids are hashed in the key.
 */
export const ORDER_LIMITS = {
  /** Checkouts per shop + IP. */
  checkouts: { requests: 20, duration: '15 minutes' },
  /** Lookup attempts per shop + IP, whatever the order no. */
  lookups: { requests: 30, duration: '15 minutes' },
  /**
   * Failed lookups per shop + IP, and per shop + order no: 5 failures lock that order's
   * lookup (or that IP's lookups) for 15 minutes, even with the right password.
   */
  lookupFailures: { requests: 5, duration: '15 minutes', blockDuration: '15 minutes' },
  /** Card-secret reveals (order page views of a delivered order) per shop + IP. */
  reveals: { requests: 60, duration: '1 hour' },
  /** Card-secret reveals per order, whoever asks. */
  revealsPerOrder: { requests: 20, duration: '1 hour' },
  /** Delivery mail resends per order (the inbox owner is not flooded). */
  resendsPerOrder: { requests: 3, duration: '1 hour' },
  /** Delivery mail resends per shop + IP, whatever the order. */
  resends: { requests: 10, duration: '1 hour' },
} as const

export type OrderLimitName = keyof typeof ORDER_LIMITS

/** The limiter key of one limit: `shop_orders:<limit>:<shop slug>:<hashed parts>`. */
export function orderLimitKey(name: OrderLimitName, tenant: TenantRef, ...parts: string[]) {
  const hashed = parts.map((p) => createHash('sha256').update(p).digest('hex').slice(0, 32))
  return ['shop_orders', name, tenant.slug, ...hashed].join(':')
}

const key = orderLimitKey

function use(name: OrderLimitName) {
  return limiter.use({ ...ORDER_LIMITS[name] })
}

function rethrow(error: unknown): never {
  if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
    throw new StorefrontThrottledException(error.response.availableIn)
  }
  throw error
}

/** Count one request against each `[limit, key]` in order. @throws StorefrontThrottledException */
async function consumeAll(checks: [OrderLimitName, string][]) {
  for (const [name, k] of checks) {
    try {
      await use(name).consume(k)
    } catch (error) {
      rethrow(error)
    }
  }
}

/** Count one checkout for shop + IP. @throws StorefrontThrottledException */
export async function consumeCheckout(tenant: TenantRef, ip: string) {
  await consumeAll([['checkouts', key('checkouts', tenant, 'ip', ip)]])
}

/** Keys counting lookup failures: per IP and per order no. */
function failureKeys(tenant: TenantRef, ip: string, orderNo: string) {
  return [
    key('lookupFailures', tenant, 'ip', ip),
    key('lookupFailures', tenant, 'order', orderNo.toUpperCase()),
  ]
}

/** Before a lookup: count the attempt, refuse while either failure key is blocked. */
export async function beforeLookup(tenant: TenantRef, ip: string, orderNo: string) {
  await consumeAll([['lookups', key('lookups', tenant, 'ip', ip)]])
  const failures = use('lookupFailures')
  for (const k of failureKeys(tenant, ip, orderNo)) {
    if ((await failures.isBlocked(k)) || (await failures.remaining(k)) <= 0) {
      throw new StorefrontThrottledException(await failures.availableIn(k))
    }
  }
}

/** A failed lookup: count against IP and order no (blocks after 5 in 15 minutes). */
export async function lookupFailed(tenant: TenantRef, ip: string, orderNo: string) {
  const failures = use('lookupFailures')
  for (const k of failureKeys(tenant, ip, orderNo)) {
    try {
      await failures.consume(k)
    } catch (error) {
      if (!(error instanceof limiterErrors.E_TOO_MANY_REQUESTS)) throw error
    }
  }
}

/**
 * Before card secrets are decrypted for a viewer: one reveal for shop + IP and one for the
 * order. @throws StorefrontThrottledException
 */
export async function consumeReveal(tenant: TenantRef, ip: string, orderId: number) {
  await consumeAll([
    ['reveals', key('reveals', tenant, 'ip', ip)],
    ['revealsPerOrder', key('revealsPerOrder', tenant, 'order', String(orderId))],
  ])
}

/** Before a delivery mail resend: per shop + IP and per order. @throws StorefrontThrottledException */
export async function consumeResend(tenant: TenantRef, ip: string, orderId: number) {
  await consumeAll([
    ['resends', key('resends', tenant, 'ip', ip)],
    ['resendsPerOrder', key('resendsPerOrder', tenant, 'order', String(orderId))],
  ])
}
