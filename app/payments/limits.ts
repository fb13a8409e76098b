import { createHash } from 'node:crypto'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { TenantRef } from '#tenancy'
import { StorefrontThrottledException } from '#actions/storefront/errors'

/**
 * Rate limits of the buyer's payment endpoints, per shop (keys start with the shop slug;
 * IPs and order ids are hashed).
 */
export const PAYMENT_LIMITS = {
  /** "Pay with X" clicks per shop + IP (each creates an attempt at the gateway). */
  starts: { requests: 20, duration: '15 minutes' },
  /** "Pay with X" clicks per order, whoever clicks. */
  startsPerOrder: { requests: 10, duration: '15 minutes' },
  /** Status polls per shop + IP (a page polls every few seconds). */
  statusPolls: { requests: 400, duration: '10 minutes' },
} as const

type LimitName = keyof typeof PAYMENT_LIMITS

function key(name: LimitName, tenant: TenantRef, part: string) {
  const hashed = createHash('sha256').update(part).digest('hex').slice(0, 32)
  return ['payments', name, tenant.slug, hashed].join(':')
}

async function consume(name: LimitName, k: string) {
  try {
    await limiter.use({ ...PAYMENT_LIMITS[name] }).consume(k)
  } catch (error) {
    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
      throw new StorefrontThrottledException(error.response.availableIn)
    }
    throw error
  }
}

/** @throws StorefrontThrottledException */
export async function consumePaymentStart(tenant: TenantRef, ip: string, orderId: number) {
  await consume('starts', key('starts', tenant, ip))
  await consume('startsPerOrder', key('startsPerOrder', tenant, String(orderId)))
}

/** @throws StorefrontThrottledException */
export async function consumeStatusPoll(tenant: TenantRef, ip: string) {
  await consume('statusPolls', key('statusPolls', tenant, ip))
}
