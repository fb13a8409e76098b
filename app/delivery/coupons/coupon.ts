import { CouponError } from '#delivery/coupons/errors'

export const COUPON_KINDS = ['fixed', 'percent'] as const
export type CouponKind = (typeof COUPON_KINDS)[number]
export const COUPON_SCOPES = ['all', 'product', 'category'] as const
export type CouponScope = (typeof COUPON_SCOPES)[number]

/** Codes are stored upper-case: 3-40 of A-Z, 0-9, `_` and `-`. */
export const COUPON_CODE = /^[A-Z0-9_-]{3,40}$/
/** Largest fixed discount, minimum amount or limit a coupon may carry (typo guards). */
export const MAX_COUPON_MINOR = 10n ** 14n
export const MAX_COUPON_LIMIT = 1_000_000_000

/** A shop's coupon (`coupons` row). */
export interface Coupon {
  id: number
  tenantId: number
  code: string
  kind: CouponKind
  /** fixed: minor units off the order; percent: whole percent off (1-100). */
  value: bigint
  currency: string
  scope: CouponScope
  /** Set exactly when `scope` is `product`. */
  productId: number | null
  /** Set exactly when `scope` is `category`. */
  categoryId: number | null
  /** The subtotal (after wholesale, before the discount) must reach this. */
  minAmountMinor: bigint
  /** Orders that may hold the coupon at once (expired, cancelled, mismatched ones do not count). */
  totalLimit: number | null
  /** The same, per buyer (signed in) or per contact email (guest). */
  perContactLimit: number | null
  startsAt: Date | null
  endsAt: Date | null
  active: boolean
  createdAt: Date
}

/** What a merchant defines (create and update take the whole definition). */
export interface CouponInput {
  code: string
  kind: CouponKind
  value: bigint
  currency: string
  scope: CouponScope
  productId?: number | null
  categoryId?: number | null
  minAmountMinor?: bigint
  totalLimit?: number | null
  perContactLimit?: number | null
  startsAt?: Date | null
  endsAt?: Date | null
  active?: boolean
}

/** Bigints read as text, so they never pass through a JS number. */
export const COUPON_COLUMNS = `id, tenant_id, code, kind, value::text AS value, currency, scope,
  product_id, category_id, min_amount_minor::text AS min_amount_minor, total_limit,
  per_contact_limit, starts_at, ends_at, active, created_at`

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
const date = (v: unknown) => (v ? new Date(v as string) : null)

export function toCoupon(row: any): Coupon {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    code: row.code,
    kind: row.kind,
    value: BigInt(row.value),
    currency: row.currency,
    scope: row.scope,
    productId: num(row.product_id),
    categoryId: num(row.category_id),
    minAmountMinor: BigInt(row.min_amount_minor),
    totalLimit: num(row.total_limit),
    perContactLimit: num(row.per_contact_limit),
    startsAt: date(row.starts_at),
    endsAt: date(row.ends_at),
    active: Boolean(row.active),
    createdAt: new Date(row.created_at),
  }
}

/**
 * A code as a buyer or merchant typed it → its stored form (trimmed, upper-case), or null
 * when it cannot be a code (wrong type, length or characters).
 */
export function normalizeCode(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 200) return null
  const code = raw.trim().toUpperCase()
  return COUPON_CODE.test(code) ? code : null
}

function invalid(field: string, message: string): never {
  throw new CouponError('E_COUPON_INVALID', message, { field })
}

const positiveId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0
const limit = (v: unknown) =>
  v === null ||
  v === undefined ||
  (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_COUPON_LIMIT)
const validDate = (v: unknown) =>
  v === null || v === undefined || (v instanceof Date && !Number.isNaN(v.getTime()))

/**
 * Check a coupon definition without the database; returns it normalised (upper-case code,
 * the unused scope id null). `E_COUPON_INVALID` with `details.field` (form field names:
 * `code`, `kind`, `value`, `currency`, `scope`, `product_id`, `category_id`, `min_amount`,
 * `total_limit`, `per_contact_limit`, `starts_at`, `ends_at`) otherwise.
 */
export function validateCoupon(input: CouponInput): Required<CouponInput> {
  if (!input || typeof input !== 'object') invalid('code', 'coupon definition missing')
  const code = normalizeCode(input.code)
  if (!code) invalid('code', 'code: 3-40 of A-Z 0-9 _ -')
  if (!(COUPON_KINDS as readonly unknown[]).includes(input.kind)) invalid('kind', 'kind')
  const value = input.value
  if (typeof value !== 'bigint' || value <= 0n) invalid('value', 'value > 0')
  if (input.kind === 'percent' && value > 100n) invalid('value', 'percent: 1-100')
  if (input.kind === 'fixed' && value > MAX_COUPON_MINOR) invalid('value', 'value too large')
  if (typeof input.currency !== 'string' || !/^[A-Z]{3}$/.test(input.currency)) {
    invalid('currency', 'currency')
  }
  if (!(COUPON_SCOPES as readonly unknown[]).includes(input.scope)) invalid('scope', 'scope')
  const productId = input.productId ?? null
  const categoryId = input.categoryId ?? null
  if (input.scope === 'product' && !positiveId(productId)) invalid('product_id', 'product')
  if (input.scope === 'category' && !positiveId(categoryId)) invalid('category_id', 'category')
  // Exactly the id matching the scope is set, the other is null (no database CHECK says so).
  if (input.scope !== 'product' && productId !== null) invalid('product_id', 'product not in scope')
  if (input.scope !== 'category' && categoryId !== null) {
    invalid('category_id', 'category not in scope')
  }
  const min = input.minAmountMinor ?? 0n
  if (typeof min !== 'bigint' || min < 0n || min > MAX_COUPON_MINOR) {
    invalid('min_amount', 'minimum amount')
  }
  if (!limit(input.totalLimit)) invalid('total_limit', 'total limit')
  if (!limit(input.perContactLimit)) invalid('per_contact_limit', 'per-contact limit')
  if (!validDate(input.startsAt)) invalid('starts_at', 'start')
  if (!validDate(input.endsAt)) invalid('ends_at', 'end')
  if (input.startsAt && input.endsAt && input.endsAt.getTime() <= input.startsAt.getTime()) {
    invalid('ends_at', 'the end must be after the start')
  }
  if (input.active !== undefined && typeof input.active !== 'boolean') invalid('active', 'active')
  return {
    code,
    kind: input.kind,
    value,
    currency: input.currency,
    scope: input.scope,
    productId,
    categoryId,
    minAmountMinor: min,
    totalLimit: input.totalLimit ?? null,
    perContactLimit: input.perContactLimit ?? null,
    startsAt: input.startsAt ?? null,
    endsAt: input.endsAt ?? null,
    active: input.active ?? true,
  }
}
