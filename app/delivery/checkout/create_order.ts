import hash from '@adonisjs/core/services/hash'
import { requireTenant, withTenant, type TenantRef } from '#tenancy'
import { findProduct } from '#delivery/catalog/products'
import { DeliveryError, SoldOutError } from '#delivery/checkout/errors'
import {
  applyAdjustments,
  priceOrder,
  serializeSteps,
  type Quote,
} from '#delivery/checkout/pricing'
import { countCouponUses, findCouponByCode } from '#delivery/coupons/coupons'
import { CouponError } from '#delivery/coupons/errors'
import { hashPublicToken, newOrderNo, newPublicToken } from '#delivery/checkout/tokens'
import { claimItems, DEFAULT_RESERVATION_TTL_MINUTES } from '#delivery/stock/reservations'
import { queueLowStockCheck } from '#delivery/stock/low_stock'
import { hooks } from '#plugin_host/runtime'
import { orderEventPayload } from '#delivery/orders/order_events_out'
import { enabledPluginsFor } from '#plugin_host/installs'
import { toOrder, ORDER_COLUMNS, type Order } from '#delivery/orders/order'

/** What a buyer (guest or signed in) submits. Nothing here carries a price. */
export interface CreateOrderInput {
  productId: number
  quantity: number
  contactEmail: string
  /** Optional password for looking the order up later (stored hashed). */
  queryPassword?: string | null
  /** The signed-in buyer, if any (a `buyers` id of this shop). */
  buyerId?: number | null
  /** A coupon code as typed (trimmed, any case); empty or absent: no coupon. */
  couponCode?: string | null
  /** Defaults to the tenant in context. */
  tenant?: TenantRef
}

export interface CreatedOrder {
  order: Order
  /** Shown to the buyer once (order page link); only its hash is stored. Never log it. */
  publicToken: string
  quote: Quote
  /** Card items reserved for the order (card products). */
  reservedItemIds: number[]
}

const ALLOWED_KEYS = new Set([
  'productId',
  'quantity',
  'contactEmail',
  'queryPassword',
  'buyerId',
  'couponCode',
  'tenant',
])
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,63}$/
const MAX_QUANTITY = 10_000

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new DeliveryError('E_CHECKOUT_INVALID', message, details)
}

/** Input checks that need no database (typed errors, nothing written). */
export function validateCheckout(input: CreateOrderInput) {
  if (!input || typeof input !== 'object') invalid('checkout input missing')
  const unknown = Object.keys(input).filter((k) => !ALLOWED_KEYS.has(k))
  if (unknown.length) {
    // A price, amount or anything else the client must not decide.
    invalid(`unexpected fields: ${unknown.join(', ')}`, { fields: unknown })
  }
  if (!Number.isSafeInteger(input.productId) || input.productId <= 0) {
    throw new DeliveryError('E_PRODUCT_NOT_FOUND', 'no such product')
  }
  const q = input.quantity
  if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > MAX_QUANTITY) {
    throw new DeliveryError(
      'E_INVALID_QUANTITY',
      `quantity must be a whole number 1-${MAX_QUANTITY}`
    )
  }
  if (typeof input.contactEmail !== 'string' || !EMAIL.test(input.contactEmail.trim())) {
    invalid('contact email is not valid', { field: 'contactEmail' })
  }
  if (input.queryPassword !== null && input.queryPassword !== undefined) {
    const p = input.queryPassword
    if (typeof p !== 'string' || p.length < 4 || p.length > 128) {
      invalid('query password: 4-128 characters', { field: 'queryPassword' })
    }
  }
  if (
    input.buyerId !== null &&
    input.buyerId !== undefined &&
    (!Number.isSafeInteger(input.buyerId) || input.buyerId <= 0)
  ) {
    invalid('buyer', { field: 'buyerId' })
  }
  if (
    input.couponCode !== null &&
    input.couponCode !== undefined &&
    typeof input.couponCode !== 'string'
  ) {
    invalid('coupon code', { field: 'couponCode' })
  }
}

/**
 * Create a pending order and reserve its stock, in one unit of work (own `withTenant`):
 * the server prices it (`priceOrder`), card stock is claimed with `FOR UPDATE SKIP LOCKED`
 * for exactly the quantity ordered, and the reservation lasts the shop's TTL (default
 * 15 minutes; `expireReservations` releases it). Not enough stock → `SoldOutError`, and
 * nothing is written. Expected failures are `DeliveryError`s with a code.
 *
 * With `couponCode`, the coupon row is locked `FOR UPDATE` before anything is counted, so
 * every checkout using that coupon runs one after the other until commit and its limits
 * hold under concurrency: `total_limit` and `per_contact_limit` count the orders holding
 * the coupon that are not expired, cancelled or payment_mismatch (per contact: the buyer
 * id when signed in, else the lower-cased contact email). A refused coupon is a
 * `CouponError` (`E_COUPON_*`) and nothing is written. Lock order: coupon row → per-buyer
 * advisory lock → card items.
 */
export async function createOrder(input: CreateOrderInput): Promise<CreatedOrder> {
  validateCheckout(input)
  const queryPasswordHash = input.queryPassword ? await hash.make(input.queryPassword) : null
  const contactEmail = input.contactEmail.trim()
  const couponCode = input.couponCode?.trim() || null

  const tenant = input.tenant ?? requireTenant()
  const tenantId = tenant.id

  return withTenant(async (trx) => {
    const product = await findProduct(trx, tenantId, input.productId)
    if (!product) throw new DeliveryError('E_PRODUCT_NOT_FOUND', 'no such product')
    if (product.status !== 'active') {
      throw new DeliveryError('E_PRODUCT_UNAVAILABLE', 'this product is not on sale')
    }
    const quantity = input.quantity
    if (quantity < product.minQuantity || (product.maxQuantity && quantity > product.maxQuantity)) {
      throw new DeliveryError('E_QUANTITY_OUT_OF_RANGE', 'quantity outside the allowed range', {
        min: product.minQuantity,
        max: product.maxQuantity,
      })
    }
    let quote: Quote
    if (couponCode) {
      const coupon = await findCouponByCode(trx, tenantId, couponCode, { lock: true })
      if (!coupon) throw new CouponError('E_COUPON_UNKNOWN', 'no such coupon')
      const { rows } = await trx.rawQuery(`SELECT now() AS now`)
      quote = priceOrder(product, quantity, { coupon, now: new Date(rows[0].now) })
      if (
        coupon.totalLimit !== null &&
        (await countCouponUses(trx, tenantId, coupon.id)) >= coupon.totalLimit
      ) {
        throw new CouponError('E_COUPON_EXHAUSTED', 'this coupon has been used up')
      }
      if (
        coupon.perContactLimit !== null &&
        (await countCouponUses(trx, tenantId, coupon.id, {
          buyerId: input.buyerId ?? null,
          contactEmail,
        })) >= coupon.perContactLimit
      ) {
        throw new CouponError('E_COUPON_CONTACT_EXHAUSTED', 'you have already used this coupon', {
          limit: coupon.perContactLimit,
        })
      }
    } else {
      quote = priceOrder(product, quantity)
    }

    // The shop's enabled plugins, loaded once and only when a loaded plugin listens.
    const wantsAdjust = hooks.handles('pricing.adjust')
    const wantsValidate = hooks.handles('checkout.validate')
    const wantsPlaced = hooks.handles('order.placed')
    const { plugins } =
      wantsAdjust || wantsValidate || wantsPlaced
        ? await enabledPluginsFor(trx, tenantId)
        : { plugins: [] }

    // Plugins may propose price adjustments (`pricing.adjust`, after the coupon); the core
    // applies them within its limits (`applyAdjustments`: the buyer pays ≥ 1 minor unit).
    if (wantsAdjust && plugins.length) {
      const adjusted = await hooks.applyFilter(
        'pricing.adjust',
        {
          productId: product.id,
          quantity,
          currency: quote.currency,
          unitPriceMinor: quote.unitPriceMinor,
          adjustments: [],
        },
        { tenantId, plugins }
      )
      quote = applyAdjustments(quote, adjusted.adjustments)
    }

    // Plugins enabled for this shop may refuse the checkout (`checkout.validate`): a
    // PluginVeto rolls the whole unit back, so nothing is written.
    if (wantsValidate && plugins.length) {
      await hooks.applyFilter(
        'checkout.validate',
        {
          productId: product.id,
          quantity,
          contactEmail,
          buyerId: input.buyerId ?? null,
          amountMinor: quote.amountMinor,
          currency: quote.currency,
        },
        { tenantId, plugins }
      )
    }

    if (product.perBuyerLimit) {
      // Serialise this buyer's checkouts of this product, then count what they already hold.
      const who = input.buyerId ? `b${input.buyerId}` : `e${contactEmail.toLowerCase()}`
      await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, [
        `buyer-limit:${tenantId}:${product.id}:${who}`,
      ])
      const { rows } = await trx.rawQuery(
        `SELECT coalesce(sum(l.quantity), 0)::int AS n
           FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
          WHERE o.tenant_id = ? AND o.product_id = ?
            AND o.status NOT IN ('expired', 'cancelled', 'payment_mismatch')
            AND ${input.buyerId ? 'o.buyer_id = ?' : 'lower(o.contact_email) = lower(?)'}`,
        [tenantId, product.id, input.buyerId ?? contactEmail]
      )
      if (Number(rows[0].n) + quantity > product.perBuyerLimit) {
        throw new DeliveryError('E_BUYER_LIMIT', 'per-buyer limit reached', {
          limit: product.perBuyerLimit,
        })
      }
    }

    // One statement: the order (its reservation TTL read from the shop's settings, as
    // reservationTtlMinutes does) and its line. A drawn order number that is taken inserts
    // neither, and another number is drawn.
    const publicToken = newPublicToken()
    let orderRow: any
    for (let attempt = 0; !orderRow; attempt++) {
      if (attempt === 5) throw new Error('E_ORDER_NO: could not draw a free order number')
      const { rows } = await trx.rawQuery(
        `WITH o AS (
           INSERT INTO orders (tenant_id, product_id, order_no, public_token_hash, status,
              amount_minor, discount_minor, adjustment_minor, coupon_id, currency, contact_email,
              query_password_hash, buyer_id, reserved_until)
           VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, now() + make_interval(mins => coalesce(
              (SELECT reservation_ttl_minutes FROM shop_checkout_settings
                WHERE tenant_id = ? ORDER BY id DESC LIMIT 1), ?::int)))
           ON CONFLICT (tenant_id, order_no) DO NOTHING
           RETURNING ${ORDER_COLUMNS}
         ), line AS (
           INSERT INTO order_lines (tenant_id, order_id, product_id, quantity, unit_price_minor,
              amount_minor, currency)
           SELECT tenant_id, id, product_id, ?, ?, ?, ? FROM o
         )
         SELECT o.*, round(extract(epoch FROM o.reserved_until - now()) / 60)::int AS ttl_minutes
           FROM o`,
        [
          tenantId,
          product.id,
          newOrderNo(),
          hashPublicToken(publicToken),
          quote.amountMinor.toString(),
          quote.discountMinor.toString(),
          quote.adjustmentMinor.toString(),
          quote.couponId,
          quote.currency,
          contactEmail,
          queryPasswordHash,
          input.buyerId ?? null,
          tenantId,
          DEFAULT_RESERVATION_TTL_MINUTES,
          quantity,
          quote.unitPriceMinor.toString(),
          // The line's list total; the order's amount is this − discount + adjustments.
          quote.subtotalMinor.toString(),
          quote.currency,
        ] as any[]
      )
      orderRow = rows[0]
    }
    const order = toOrder(orderRow)
    const ttl = Number(orderRow.ttl_minutes)

    let reservedItemIds: number[] = []
    if (product.type === 'card') {
      reservedItemIds = await claimItems(trx, tenantId, product.id, order.id, quantity)
      if (reservedItemIds.length !== quantity) {
        // Throwing rolls back the order, its line and the partial claim.
        throw new SoldOutError({ productId: product.id, requested: quantity })
      }
      if (product.lowStockThreshold) {
        // Stock at or below the threshold and the alert armed: check it after commit. The
        // count stops at threshold + 1 rows, so a large stock costs nothing here.
        const threshold = product.lowStockThreshold
        const { rows } = await trx.rawQuery(
          `SELECT (SELECT low_stock_alerted_at IS NULL FROM products WHERE tenant_id = ? AND id = ?) AS armed,
                  (SELECT count(*)::int FROM (SELECT 1 FROM card_items
                     WHERE tenant_id = ? AND product_id = ? AND status = 'available' LIMIT ?) s) AS n`,
          [tenantId, product.id, tenantId, product.id, threshold + 1]
        )
        if (rows[0].armed && rows[0].n <= threshold) {
          trx.after('commit', () => queueLowStockCheck(tenantId, product.id))
        }
      }
    }
    await trx.table('order_events').multiInsert([
      {
        tenant_id: tenantId,
        order_id: order.id,
        kind: 'created',
        data: JSON.stringify({
          quantity,
          amountMinor: quote.amountMinor.toString(),
          currency: quote.currency,
          ...(quote.couponId === null
            ? {}
            : {
                subtotalMinor: quote.subtotalMinor.toString(),
                discountMinor: quote.discountMinor.toString(),
                couponId: quote.couponId,
              }),
          ...(quote.adjustmentMinor === 0n
            ? {}
            : {
                subtotalMinor: quote.subtotalMinor.toString(),
                adjustmentMinor: quote.adjustmentMinor.toString(),
              }),
          steps: serializeSteps(quote.steps),
        }),
      },
      ...(product.type === 'card'
        ? [
            {
              tenant_id: tenantId,
              order_id: order.id,
              kind: 'reserved',
              data: JSON.stringify({ items: reservedItemIds.length, ttlMinutes: ttl }),
            },
          ]
        : []),
    ])
    // `order.placed` actions of the shop's enabled plugins, in this unit of work (their
    // writes to their own tables commit or roll back with the order); a throwing or slow
    // action is skipped with an alert. Nothing at all when no loaded plugin listens.
    if (wantsPlaced && plugins.length) {
      await hooks.runActions('order.placed', orderEventPayload(order), { tenantId, plugins })
    }
    return { order, publicToken, quote, reservedItemIds }
  }, tenant)
}
