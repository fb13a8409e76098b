import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import { addMember, auditOf, createUser } from '#tests/functional/merchant/_fixtures'
import { addItems, order, pay, productOf } from '#tests/functional/delivery/_fixtures'

/** Poll until `check` holds (jobs run asynchronously in the in-process driver). */
export async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

/** A staff member of `shop`. */
export async function staffOf(shop: Tenant, email = `staff@${shop.slug}.test`) {
  const user = await createUser(email)
  await addMember(shop, user, 'staff')
  return user
}

/** A card product with `stock` items and a delivered order of `quantity` of them. */
export async function deliveredOrder(shop: Tenant, quantity = 1, stock = 3) {
  const product = await productOf(shop)
  await addItems(shop, product, stock)
  const created = await order(shop, product, quantity)
  const paid = await pay(
    shop,
    created.order.orderNo,
    1_000n * BigInt(quantity),
    `T-${created.order.orderNo}`
  )
  // let the delivery mail job record `mailed`, so later counts are stable
  await until(async () => {
    const mailed = await eventsOfKind(shop, paid.order.id, 'mailed')
    return mailed.length > 0
  })
  return { product, order: paid.order, token: created.publicToken, soldItemIds: paid.soldItemIds }
}

/** Order events of one order, oldest first (platform role, for assertions). */
export async function eventsOf(shop: Tenant, orderId: number) {
  const rows = await db
    .connection('platform')
    .from('order_events')
    .where({ tenant_id: shop.id, order_id: orderId })
    .orderBy('id')
  return rows as { kind: string; data: Record<string, any> }[]
}

/** Card items of one shop by id (platform role). */
export async function itemsOf(shop: Tenant) {
  return db.connection('platform').from('card_items').where('tenant_id', shop.id).orderBy('id')
}

/** The shop's newest audit row. */
export async function lastAudit(shop: Tenant) {
  const rows = await auditOf(shop)
  return rows[rows.length - 1]
}

/** The shop's audit rows with `action`. */
export async function auditsWith(shop: Tenant, action: string) {
  const rows = await auditOf(shop)
  return rows.filter((row) => row.action === action)
}

/** How many audit rows the shop has. */
export async function auditCount(shop: Tenant) {
  const rows = await auditOf(shop)
  return rows.length
}

/** One order's events of `kind`. */
export async function eventsOfKind(shop: Tenant, orderId: number, kind: string) {
  const rows = await eventsOf(shop, orderId)
  return rows.filter((e) => e.kind === kind)
}

/** One card item by id (platform role). */
export async function itemById(shop: Tenant, id: number) {
  const rows = await itemsOf(shop)
  return rows.find((row) => Number(row.id) === id)
}
