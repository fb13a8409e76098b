export const ORDER_STATUSES = [
  'pending',
  'paid',
  'delivered',
  'payment_mismatch',
  'paid_unfulfilled',
  'expired',
  'cancelled',
  'refunded',
] as const
export type OrderStatus = (typeof ORDER_STATUSES)[number]

/** An order as the engine hands it out (no token, no password hash). */
export interface Order {
  id: number
  tenantId: number
  productId: number
  orderNo: string
  status: OrderStatus
  /** What the buyer pays (after any coupon discount). */
  amountMinor: bigint
  /** The coupon's discount (0 without a coupon); amountMinor + discountMinor = list total. */
  discountMinor: bigint
  /** Plugins' price adjustments, signed: amount = line total − discount + adjustment. */
  adjustmentMinor: bigint
  couponId: number | null
  currency: string
  contactEmail: string
  hasQueryPassword: boolean
  buyerId: number | null
  reservedUntil: Date | null
  paidAt: Date | null
  deliveredAt: Date | null
  expiredAt: Date | null
  createdAt: Date
}

/** Columns for `toOrder` (amount as text: bigint never passes through a JS number). */
export const ORDER_COLUMNS = `id, tenant_id, product_id, order_no, status, amount_minor::text AS amount_minor,
  discount_minor::text AS discount_minor, adjustment_minor::text AS adjustment_minor,
  coupon_id, currency, contact_email, (query_password_hash IS NOT NULL) AS has_query_password, buyer_id,
  reserved_until, paid_at, delivered_at, expired_at, created_at`

const date = (v: any) => (v ? new Date(v) : null)

export function toOrder(row: any): Order {
  return {
    id: Number(row.id),
    tenantId: Number(row.tenant_id),
    productId: Number(row.product_id),
    orderNo: row.order_no,
    status: row.status,
    amountMinor: BigInt(row.amount_minor),
    discountMinor: BigInt(row.discount_minor ?? 0),
    adjustmentMinor: BigInt(row.adjustment_minor ?? 0),
    couponId: row.coupon_id === null || row.coupon_id === undefined ? null : Number(row.coupon_id),
    currency: row.currency,
    contactEmail: row.contact_email,
    hasQueryPassword: Boolean(row.has_query_password),
    buyerId: row.buyer_id === null ? null : Number(row.buyer_id),
    reservedUntil: date(row.reserved_until),
    paidAt: date(row.paid_at),
    deliveredAt: date(row.delivered_at),
    expiredAt: date(row.expired_at),
    createdAt: new Date(row.created_at),
  }
}
