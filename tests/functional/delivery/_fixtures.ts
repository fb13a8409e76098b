import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import { withTenant } from '#tenancy'
import { getBalance } from '#ledger'
import {
  confirmPayment,
  createCategory,
  createOrder,
  createProduct,
  type NewProduct,
  type Product,
} from '#delivery'
import { encryptSecret, getDataKey, secretHash } from '#delivery/secrets/index'

/** A category and an active product of `shop` (card type, 10.00 unless told otherwise). */
export async function productOf(
  shop: Tenant,
  overrides: Partial<Omit<NewProduct, 'tenantId' | 'categoryId'>> = {}
): Promise<Product> {
  return withTenant(async (trx) => {
    const category = await createCategory(trx, { tenantId: shop.id, name: 'Keys' })
    return createProduct(trx, {
      tenantId: shop.id,
      categoryId: category.id,
      name: 'Game key',
      type: 'card',
      priceMinor: 1_000n,
      currency: shop.currency,
      status: 'active',
      ...overrides,
    })
  }, shop.toRef())
}

/**
 * `count` card items for `product`, encrypted through the card-secret module
 * (app/delivery/secrets). Returns the ids and the plaintexts (tests only).
 */
export async function addItems(shop: Tenant, product: Product, count: number): Promise<number[]> {
  return withTenant(async (trx) => {
    const key = await getDataKey(trx, shop.id)
    const rows = Array.from({ length: count }, () => {
      const secret = `KEY-${randomBytes(8).toString('hex').toUpperCase()}`
      const { ciphertext, keyVersion } = encryptSecret(key, secret)
      return {
        tenant_id: shop.id,
        product_id: product.id,
        secret_ciphertext: ciphertext,
        secret_hash: secretHash(key, secret),
        key_version: keyVersion,
      }
    })
    const inserted = await trx.table('card_items').multiInsert(rows).returning('id')
    return inserted.map((r: any) => Number(r.id ?? r))
  }, shop.toRef())
}

/** Card items of a shop by status (platform role: sees through RLS for assertions). */
export async function itemCounts(shop: Tenant) {
  const rows = await db
    .connection('platform')
    .from('card_items')
    .where('tenant_id', shop.id)
    .groupBy('status')
    .select('status')
    .count('* as n')
  const counts: Record<string, number> = { available: 0, reserved: 0, sold: 0, void: 0 }
  for (const r of rows) counts[r.status] = Number(r.n)
  return counts
}

export function rowsOf(table: string, shop: Tenant) {
  return db.connection('platform').from(table).where('tenant_id', shop.id).orderBy('id')
}

/** Count of rows per table for a shop: "nothing written" checks. */
export async function footprint(shop: Tenant) {
  const out: Record<string, number> = {}
  for (const t of ['orders', 'order_lines', 'order_events', 'payments', 'deliveries']) {
    const found = await rowsOf(t, shop)
    out[t] = found.length
  }
  const items = await itemCounts(shop)
  out.reserved = items.reserved
  out.sold = items.sold
  return out
}

/** Make every pending order's reservation end in the past. */
export async function backdateReservations(shop: Tenant, minutes = 1) {
  await db
    .connection('platform')
    .rawQuery(
      `UPDATE orders SET reserved_until = now() - make_interval(mins => ?) WHERE tenant_id = ? AND status = 'pending'`,
      [minutes, shop.id]
    )
}

/** A pending order of `quantity` units. */
export async function order(shop: Tenant, product: Product, quantity = 1) {
  return createOrder({
    tenant: shop.toRef(),
    productId: product.id,
    quantity,
    contactEmail: 'buyer@example.test',
  })
}

/** Confirm an epay payment of an order. */
export function pay(
  shop: Tenant,
  orderNo: string,
  amountMinor: bigint,
  txn = 'T-1',
  currency = 'CNY'
) {
  return confirmPayment({
    tenantId: shop.id,
    gateway: 'epay',
    providerTxnId: txn,
    orderNo,
    amountMinor,
    currency,
    paidAt: new Date(),
  })
}

/** The shop's pending revenue. */
export function pending(shop: Tenant) {
  return withTenant(
    (trx) => getBalance(trx, shop.id, { type: 'tenant_pending', currency: shop.currency }),
    shop.toRef()
  )
}

/** The platform fee the shop has paid (its `platform_fee` account). */
export function platformFee(shop: Tenant) {
  return withTenant(
    (trx) => getBalance(trx, shop.id, { type: 'platform_fee', currency: shop.currency }),
    shop.toRef()
  )
}
