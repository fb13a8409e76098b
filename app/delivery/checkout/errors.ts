import type { CouponErrorCode } from '#delivery/coupons/errors'

/**
 * Expected checkout and payment failures, as one typed error with a stable code. Callers
 * (controllers, gateway callbacks) map the code to a message; nothing was written when one
 * is thrown (the unit of work rolls back).
 */
export type DeliveryErrorCode =
  | 'E_CHECKOUT_INVALID'
  | 'E_INVALID_QUANTITY'
  | 'E_QUANTITY_OUT_OF_RANGE'
  | 'E_BUYER_LIMIT'
  | 'E_PRODUCT_NOT_FOUND'
  | 'E_PRODUCT_UNAVAILABLE'
  | 'E_SOLD_OUT'
  | 'E_ORDER_NOT_FOUND'
  | 'E_PAYMENT_INVALID'
  | 'E_PAYMENT_CONFLICT'
  | 'E_ALLOCATION_FAILED'
  | CouponErrorCode

export class DeliveryError extends Error {
  readonly code: DeliveryErrorCode
  /** Safe, non-secret details (field names, counts). */
  readonly details: Record<string, unknown>

  constructor(code: DeliveryErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'DeliveryError'
    this.code = code
    this.details = details
  }
}

/** The order cannot be created: not enough stock right now. */
export class SoldOutError extends DeliveryError {
  constructor(details: Record<string, unknown> = {}) {
    super('E_SOLD_OUT', 'sold out: not enough stock for this quantity', details)
    this.name = 'SoldOutError'
  }
}
