/**
 * Expected refusals of the merchant's order desk (replace a key, fulfil a manual order,
 * resend the delivery mail, reveal keys). The caller maps `code` to a message in the
 * user's language; nothing was written when one is thrown (the unit of work rolls back).
 */
export type OrderDeskErrorCode =
  /** No such order in this shop (another shop's id is not found either). */
  | 'E_ORDER_NOT_FOUND'
  /** The item is not a key sold to this order (unknown, another order's, already burned). */
  | 'E_ITEM_NOT_REPLACEABLE'
  /** No available item of the product to replace the bad one with. */
  | 'E_REPLACEMENT_OUT_OF_STOCK'
  /** The order has no undelivered manual line (not paid, or already fulfilled). */
  | 'E_NOTHING_TO_FULFIL'
  /** The typed content is empty, too long, binary, duplicated or more items than ordered. */
  | 'E_FULFIL_INVALID'
  /** The order is not paid: there is no delivery mail to (re)send. */
  | 'E_ORDER_NOT_PAID'
  /** A reason (2-500 characters) is required. */
  | 'E_REASON_REQUIRED'
  /** Too many delivery-mail resends of this order in the last hour. */
  | 'E_RESEND_LIMIT'

export class OrderDeskError extends Error {
  readonly code: OrderDeskErrorCode
  /** Safe, non-secret details (counts, limits). */
  readonly details: Record<string, unknown>

  constructor(code: OrderDeskErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'OrderDeskError'
    this.code = code
    this.details = details
  }
}

/** A reason typed by the merchant: trimmed, 2-500 characters, else `E_REASON_REQUIRED`. */
export function checkReason(reason: unknown): string {
  const text = typeof reason === 'string' ? reason.trim() : ''
  // Counted in characters: "现金" (cash) is a whole reason.
  const length = [...text].length
  if (length < 2 || length > 500) {
    throw new OrderDeskError('E_REASON_REQUIRED', 'a reason (2-500 characters) is required')
  }
  return text
}

/** A positive safe integer id, else `notFound`. */
export function checkId(id: unknown, code: OrderDeskErrorCode = 'E_ORDER_NOT_FOUND'): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new OrderDeskError(code, 'no such record')
  }
  return id
}
