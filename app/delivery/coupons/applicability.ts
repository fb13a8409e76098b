import type { Coupon } from '#delivery/coupons/coupon'
import { CouponError, type CouponErrorCode } from '#delivery/coupons/errors'

/** What a coupon is checked against at checkout. */
export interface CouponTarget {
  productId: number
  categoryId: number
  /** The order's subtotal after wholesale tiers, before any discount. */
  subtotalMinor: bigint
  currency: string
  /** The checkout's time (the database's `now()` in `createOrder`). */
  now: Date
}

/**
 * Why `coupon` does not apply to `target`, or null when it does. Pure. Checked in this
 * order: active, window (`starts_at` ≤ now < `ends_at`), scope (product or category),
 * currency (a coupon is in one currency, its value and minimum too), minimum subtotal.
 * Usage limits need the database and are checked by `createOrder` under the coupon's lock.
 */
export function couponProblem(coupon: Coupon, target: CouponTarget): CouponErrorCode | null {
  if (!coupon.active) return 'E_COUPON_INACTIVE'
  const now = target.now.getTime()
  if (coupon.startsAt && now < coupon.startsAt.getTime()) return 'E_COUPON_NOT_STARTED'
  if (coupon.endsAt && now >= coupon.endsAt.getTime()) return 'E_COUPON_EXPIRED'
  if (coupon.scope === 'product' && coupon.productId !== target.productId) {
    return 'E_COUPON_NOT_APPLICABLE'
  }
  if (coupon.scope === 'category' && coupon.categoryId !== target.categoryId) {
    return 'E_COUPON_NOT_APPLICABLE'
  }
  if (coupon.currency !== target.currency) return 'E_COUPON_NOT_APPLICABLE'
  if (target.subtotalMinor < coupon.minAmountMinor) return 'E_COUPON_BELOW_MINIMUM'
  return null
}

const MESSAGES: Partial<Record<CouponErrorCode, string>> = {
  E_COUPON_INACTIVE: 'this coupon is not active',
  E_COUPON_NOT_STARTED: 'this coupon is not valid yet',
  E_COUPON_EXPIRED: 'this coupon has expired',
  E_COUPON_NOT_APPLICABLE: 'this coupon does not apply to this product',
  E_COUPON_BELOW_MINIMUM: 'the order is below the coupon minimum',
}

/** `couponProblem` as a thrown `CouponError` (details: the minimum where it matters). */
export function assertCouponApplies(coupon: Coupon, target: CouponTarget): void {
  const problem = couponProblem(coupon, target)
  if (!problem) return
  const details: Record<string, unknown> =
    problem === 'E_COUPON_BELOW_MINIMUM'
      ? { minAmountMinor: coupon.minAmountMinor.toString(), currency: coupon.currency }
      : {}
  throw new CouponError(problem, MESSAGES[problem] ?? problem, details)
}
