import type Tenant from '#models/tenant'
import { withTenant } from '#tenancy'
import { createCoupon, createOrder, type CouponInput, type Product } from '#delivery'
import { rowsOf } from '#tests/functional/delivery/_fixtures'

/** A coupon of `shop` (10% off everything unless told otherwise). */
export function couponOf(shop: Tenant, overrides: Partial<CouponInput> = {}) {
  return withTenant(
    (trx) =>
      createCoupon(trx, shop.id, {
        code: 'SAVE10',
        kind: 'percent',
        value: 10n,
        currency: shop.currency,
        scope: 'all',
        ...overrides,
      }),
    shop.toRef()
  )
}

/** A checkout with a coupon code; resolves to the created order or the error thrown. */
export function checkoutWith(
  shop: Tenant,
  product: Product,
  couponCode: string | null,
  extra: { quantity?: number; contactEmail?: string; buyerId?: number | null } = {}
) {
  return createOrder({
    tenant: shop.toRef(),
    productId: product.id,
    quantity: extra.quantity ?? 1,
    contactEmail: extra.contactEmail ?? 'buyer@example.test',
    buyerId: extra.buyerId ?? null,
    couponCode,
  }).catch((error) => error)
}

/** A buyer account of `shop` (for per-contact limits by buyer id). */
export async function buyerOf(shop: Tenant, email: string) {
  return withTenant(async (trx) => {
    const [row] = await trx
      .table('buyers')
      .insert({ tenant_id: shop.id, email, password: 'not-a-real-hash' })
      .returning('id')
    return Number(row.id ?? row)
  }, shop.toRef())
}

/** Orders of a shop that carry a coupon. */
export async function couponOrders(shop: Tenant) {
  const rows = await rowsOf('orders', shop)
  return rows.filter((o) => o.coupon_id !== null)
}
