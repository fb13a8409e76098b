import { createHash } from 'node:crypto'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { TenantRef } from '#tenancy'
import { StorefrontThrottledException } from '#actions/storefront/errors'

/** Rate limits of storefront checkout and order lookup (keys per shop slug). */
export const ORDER_LIMITS = {
  /** Checkouts per shop + IP. */
  checkouts: { requests: 20, duration: '15 minutes' },
  /** Lookup attempts per shop + IP, whatever the order no. */
  lookups: { requests: 30, duration: '15 minutes' },
  /** Failed lookups per shop + IP, and per shop + order no (5 failures / 15 min). */
  lookupFailures: { requests: 5, duration: '15 minutes', blockDuration: '15 minutes' },
} as const

type Name = keyof typeof ORDER_LIMITS

function key(name: Name, tenant: TenantRef, ...parts: string[]) {
  const hashed = parts.map((p) => createHash('sha256').update(p).digest('hex').slice(0, 32))
  return ['shop_orders', name, tenant.slug, ...hashed].join(':')
}

function use(name: Name) {
  return limiter.use({ ...ORDER_LIMITS[name] })
}

function rethrow(error: unknown): never {
  if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
    throw new StorefrontThrottledException(error.response.availableIn)
  }
  throw error
}

/** Count one checkout for shop + IP. @throws StorefrontThrottledException */
export async function consumeCheckout(tenant: TenantRef, ip: string) {
  try {
    await use('checkouts').consume(key('checkouts', tenant, 'ip', ip))
  } catch (error) {
    rethrow(error)
  }
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
  try {
    await use('lookups').consume(key('lookups', tenant, 'ip', ip))
  } catch (error) {
    rethrow(error)
  }
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
