import { timingSafeEqual } from 'node:crypto'
import hash from '@adonisjs/core/services/hash'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'
import { recordTenantAudit } from '#audit'
import { findProduct, hashPublicToken, toOrder, type Order } from '#delivery'
import { ORDER_COLUMNS } from '#delivery/orders/order'
import { decryptSecret } from '#delivery/secrets/index'
import { beforeLookup, consumeReveal, lookupFailed } from '#actions/storefront/orders/limits'
import { formatMinor } from '#ledger/settlement/format'

export interface OrderView {
  order: Order
  amount: string
  productName: string
  quantity: number
  events: { kind: string; at: Date }[]
  /** With a coupon: the list subtotal, the discount and the code (amount is the total). */
  pricing: {
    subtotal: string
    discount: string
    code: string | null
    /** Plugins' adjustments, signed and formatted with its sign (e.g. "−1.00", "+0.50"). */
    adjustment: string | null
  } | null
  /** Plaintext card secrets: only for delivered orders. */
  secrets: string[]
  /** Whether the buyer may ask for the delivery mail again (the order is paid). */
  canResend: boolean
}

/** Who opens an order page, and how they proved access to it. */
export interface OrderViewer {
  ip: string
  buyerId: number | null
  via: 'token' | 'lookup' | 'account'
}

/** Statuses whose delivery mail exists (and may be sent again). */
export const MAILABLE_STATUSES: readonly string[] = ['paid', 'delivered', 'paid_unfulfilled']

/**
 * Build the order page: timeline, and for delivered orders the decrypted card secrets, with
 * one `order.secrets_revealed` audit row per view (never the secret itself).
 */
async function buildView(
  trx: TransactionClientContract,
  tenant: TenantRef,
  order: Order,
  viewer: OrderViewer
): Promise<OrderView> {
  const line = await trx
    .from('order_lines')
    .where({ tenant_id: tenant.id, order_id: order.id })
    .select('quantity')
    .first()
  const product = await findProduct(trx, tenant.id, order.productId)
  const events = await trx
    .from('order_events')
    .where({ tenant_id: tenant.id, order_id: order.id })
    .orderBy('id')
    .select('kind', 'created_at')
  const secrets: string[] = []
  if (order.status === 'delivered') {
    const items = await trx
      .from('card_items')
      .where({ tenant_id: tenant.id, reserved_order_id: order.id, status: 'sold' })
      .orderBy('id')
      .select('secret_ciphertext')
    for (const item of items) {
      secrets.push(await decryptSecret(trx, tenant.id, item.secret_ciphertext))
    }
    if (secrets.length) {
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'buyer', id: viewer.buyerId },
        action: 'order.secrets_revealed',
        target: { type: 'order', id: order.id },
        ip: viewer.ip,
        metadata: {
          orderNo: order.orderNo,
          items: secrets.length,
          via: viewer.via,
          guest: viewer.buyerId === null,
        },
      })
    }
  }
  const coupon = order.couponId
    ? await trx
        .from('coupons')
        .where({ tenant_id: tenant.id, id: order.couponId })
        .select('code')
        .first()
    : null
  return {
    order,
    amount: formatMinor(order.amountMinor, order.currency),
    pricing:
      coupon || order.adjustmentMinor !== 0n
        ? {
            subtotal: formatMinor(
              order.amountMinor + order.discountMinor - order.adjustmentMinor,
              order.currency
            ),
            discount: formatMinor(order.discountMinor, order.currency),
            code: coupon ? String(coupon.code) : null,
            adjustment:
              order.adjustmentMinor === 0n
                ? null
                : (order.adjustmentMinor < 0n ? '−' : '+') +
                  formatMinor(
                    order.adjustmentMinor < 0n ? -order.adjustmentMinor : order.adjustmentMinor,
                    order.currency
                  ),
          }
        : null,
    productName: product?.name ?? '',
    quantity: Number(line?.quantity ?? 0),
    events: events.map((e: any) => ({ kind: e.kind, at: new Date(e.created_at) })),
    secrets,
    canResend: MAILABLE_STATUSES.includes(order.status),
  }
}

/**
 * Open an order whose access the caller has proven (`find` returns it or null, inside the
 * shop's transaction). A delivered order's secrets are decrypted only after the reveal limits
 * (per shop + IP, per order) allow it, in a second unit of work that records the reveal.
 * @throws StorefrontThrottledException
 */
export async function openOrder(
  tenant: TenantRef,
  find: (trx: TransactionClientContract) => Promise<Order | null>,
  viewer: OrderViewer
): Promise<OrderView | null> {
  const order = await withTenant(find, tenant)
  if (!order) return null
  if (order.status === 'delivered') await consumeReveal(tenant, viewer.ip, order.id)
  return withTenant((trx) => buildView(trx, tenant, order, viewer), tenant)
}

/** The order of this shop whose public token is `token` (null if none). */
export async function findOrderByToken(
  trx: TransactionClientContract,
  tenant: TenantRef,
  token: string
): Promise<Order | null> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 128) return null
  const { rows } = await trx.rawQuery(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = ? AND public_token_hash = ?`,
    [tenant.id, hashPublicToken(token)]
  )
  return rows[0] ? toOrder(rows[0]) : null
}

/** The order of this shop whose public token is `token`, as a page view; null if none. */
export function orderByToken(
  tenant: TenantRef,
  token: string,
  viewer: { ip: string; buyerId: number | null }
) {
  return openOrder(tenant, (trx) => findOrderByToken(trx, tenant, token), {
    ...viewer,
    via: 'token',
  })
}

/** Shape of an order number (`YYYYMMDD` + base32, see newOrderNo), case-insensitive. */
export function isOrderNo(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9A-Za-z]{8,32}$/.test(value)
}

let dummyHash: Promise<string> | undefined
const dummy = () => (dummyHash ??= hash.make('lianka-order-lookup-timing-equaliser'))

function sameText(a: string, b: string) {
  const x = Buffer.from(a.trim().toLowerCase())
  const y = Buffer.from(b.trim().toLowerCase())
  return x.length === y.length && timingSafeEqual(x, y)
}

export interface LookupInput {
  orderNo: string
  contactEmail: string
  queryPassword: string
  ip: string
  buyerId: number | null
}

/**
 * Look an order up by order no + contact email + query password. Every mismatch (no such
 * order, no query password set, wrong email, wrong password) returns null alike, after the
 * same hash work. Rate limited per IP and per order no (ORDER_LIMITS).
 * @throws StorefrontThrottledException
 */
export async function lookupOrder(tenant: TenantRef, input: LookupInput) {
  const orderNo = String(input.orderNo ?? '')
    .trim()
    .slice(0, 64)
  await beforeLookup(tenant, input.ip, orderNo)
  // Garbage (NUL bytes, other scripts, 64 characters) never reaches the database.
  const found = isOrderNo(orderNo)
    ? await withTenant(async (trx) => {
        const { rows } = await trx.rawQuery(
          `SELECT ${ORDER_COLUMNS}, query_password_hash FROM orders WHERE tenant_id = ? AND order_no = ?`,
          [tenant.id, orderNo.toUpperCase()]
        )
        return rows[0] ?? null
      }, tenant)
    : null
  const storedHash: string | null = found?.query_password_hash ?? null
  // Longer than checkout accepts cannot match; the cut keeps the hash work bounded.
  const password = String(input.queryPassword ?? '').slice(0, 256)
  const passwordOk = await hash.verify(storedHash ?? (await dummy()), password)
  const emailOk = found ? sameText(found.contact_email, String(input.contactEmail)) : false
  if (!found || !storedHash || !passwordOk || !emailOk) {
    await lookupFailed(tenant, input.ip, orderNo)
    return null
  }
  const order = toOrder(found)
  return openOrder(tenant, async () => order, {
    ip: input.ip,
    buyerId: input.buyerId,
    via: 'lookup',
  })
}
