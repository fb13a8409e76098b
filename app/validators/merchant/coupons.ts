import {
  COUPON_CODE,
  COUPON_KINDS,
  COUPON_SCOPES,
  MAX_COUPON_LIMIT,
  MAX_COUPON_MINOR,
  type CouponInput,
  type CouponKind,
  type CouponScope,
} from '#delivery'
import { parseMajor } from '#ledger/settlement/format'

/** The coupon form's fields, as strings (what the page shows back after an error). */
export const COUPON_FIELDS = [
  'code',
  'kind',
  'value',
  'scope',
  'product_id',
  'category_id',
  'min_amount',
  'total_limit',
  'per_contact_limit',
  'starts_at',
  'ends_at',
] as const
export type CouponFormValues = Partial<Record<(typeof COUPON_FIELDS)[number] | 'active', string>>

/** Field → `coupons.errors.*` key. */
export type CouponFormErrors = Record<string, string>

function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') return undefined // arrays, objects: refused
  return value.trim()
}

function id(value: string | undefined): number | null {
  if (!value || !/^[1-9][0-9]{0,15}$/.test(value)) return null
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : null
}

function limit(value: string | undefined): number | null | false {
  if (value === '') return null
  if (value === undefined || !/^[0-9]{1,10}$/.test(value)) return false
  const n = Number(value)
  return n >= 1 && n <= MAX_COUPON_LIMIT ? n : false
}

/** `YYYY-MM-DDTHH:MM` (a datetime-local input), read as UTC; '' → null; false if invalid. */
export function parseUtcDateTime(value: string | undefined): Date | null | false {
  if (value === '') return null
  const m = value && /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value)
  if (!m) return false
  const [year, month, day, hour, minute, second] = m.slice(1).map((p) => Number(p ?? 0))
  if (year < 2000 || year > 9999) return false
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  const sameParts =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute
  return sameParts ? date : false
}

/** A date for a datetime-local input (UTC), or ''. */
export function formatUtcDateTime(date: Date | null): string {
  return date ? date.toISOString().slice(0, 16) : ''
}

/**
 * Check the coupon form (nothing is trusted; a field sent twice is an array: refused).
 * Money is read in the shop's currency; `active` is a checkbox (absent = inactive).
 * The product/category ids are checked against the shop by the action (RLS).
 */
export function validateCouponForm(
  body: Record<string, unknown>,
  currency: string
): { data: CouponInput; errors: null } | { data: null; errors: CouponFormErrors } {
  const errors: CouponFormErrors = {}
  const rawCode = str(body.code)
  const code = rawCode?.toUpperCase()
  if (!code || !COUPON_CODE.test(code)) errors.code = 'code'
  const kind = str(body.kind) as CouponKind
  if (!(COUPON_KINDS as readonly string[]).includes(kind)) errors.kind = 'kind'
  const rawValue = str(body.value)
  let value: bigint | null = null
  if (kind === 'percent') {
    value = rawValue && /^[0-9]{1,3}$/.test(rawValue) ? BigInt(rawValue) : null
    if (value === null || value < 1n || value > 100n) errors.value = 'value_percent'
  } else if (kind === 'fixed') {
    value = parseMajor(rawValue, currency)
    if (value === null || value > MAX_COUPON_MINOR) errors.value = 'value_fixed'
  }
  const scope = str(body.scope) as CouponScope
  if (!(COUPON_SCOPES as readonly string[]).includes(scope)) errors.scope = 'scope'
  const productId = scope === 'product' ? id(str(body.product_id)) : null
  if (scope === 'product' && productId === null) errors.product_id = 'product'
  const categoryId = scope === 'category' ? id(str(body.category_id)) : null
  if (scope === 'category' && categoryId === null) errors.category_id = 'category'
  const rawMin = str(body.min_amount)
  const minAmountMinor = rawMin === '' ? 0n : parseMajor(rawMin, currency)
  if (minAmountMinor === null) errors.min_amount = 'min_amount'
  const totalLimit = limit(str(body.total_limit))
  if (totalLimit === false) errors.total_limit = 'limit'
  const perContactLimit = limit(str(body.per_contact_limit))
  if (perContactLimit === false) errors.per_contact_limit = 'limit'
  const startsAt = parseUtcDateTime(str(body.starts_at))
  if (startsAt === false) errors.starts_at = 'date'
  const endsAt = parseUtcDateTime(str(body.ends_at))
  if (endsAt === false) errors.ends_at = 'date'
  else if (endsAt && startsAt && endsAt.getTime() <= startsAt.getTime()) {
    errors.ends_at = 'ends_before_starts'
  }
  const active = str(body.active)
  if (active === undefined) errors.active = 'active'

  if (Object.keys(errors).length) return { data: null, errors }
  return {
    data: {
      code: code!,
      kind,
      value: value!,
      currency,
      scope,
      productId,
      categoryId,
      minAmountMinor: minAmountMinor!,
      totalLimit: totalLimit as number | null,
      perContactLimit: perContactLimit as number | null,
      startsAt: startsAt as Date | null,
      endsAt: endsAt as Date | null,
      active: active === '1' || active === 'on' || active === 'true',
    },
    errors: null,
  }
}

/** The form's values (strings) from a request body, for showing them back. */
export function couponFormValues(body: Record<string, unknown>): CouponFormValues {
  const values: CouponFormValues = {}
  for (const field of [...COUPON_FIELDS, 'active'] as const) {
    const v = body[field]
    values[field] = typeof v === 'string' ? v.slice(0, 200) : ''
  }
  return values
}
