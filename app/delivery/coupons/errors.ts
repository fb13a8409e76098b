import { DeliveryError } from '#delivery/checkout/errors'

/**
 * Why a coupon code was refused at checkout, or why a coupon definition was refused.
 * Part of `DeliveryErrorCode`: a `CouponError` is a `DeliveryError`, thrown inside the unit
 * of work, so nothing is written when one is raised.
 */
export type CouponErrorCode =
  /** No coupon with this code in this shop (another shop's code is unknown too). */
  | 'E_COUPON_UNKNOWN'
  /** The merchant deactivated it. */
  | 'E_COUPON_INACTIVE'
  /** Before `starts_at`. */
  | 'E_COUPON_NOT_STARTED'
  /** At or after `ends_at`. */
  | 'E_COUPON_EXPIRED'
  /** `total_limit` orders already hold it. */
  | 'E_COUPON_EXHAUSTED'
  /** This buyer (or contact email) already used it `per_contact_limit` times. */
  | 'E_COUPON_CONTACT_EXHAUSTED'
  /** The subtotal (after wholesale) is below `min_amount_minor`. */
  | 'E_COUPON_BELOW_MINIMUM'
  /** Another product or category, or another currency. */
  | 'E_COUPON_NOT_APPLICABLE'
  /** A coupon definition breaks a rule (`details.field` names it). */
  | 'E_COUPON_INVALID'
  /** Merchant side: no coupon with this id in this shop. */
  | 'E_COUPON_NOT_FOUND'
  /** Merchant side: the shop already has a coupon with this code. */
  | 'E_COUPON_CODE_TAKEN'

export class CouponError extends DeliveryError {
  declare readonly code: CouponErrorCode

  constructor(code: CouponErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details)
    this.name = 'CouponError'
  }
}
