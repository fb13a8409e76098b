import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { withTenant, type TenantRef } from '#tenancy'

/** Default reservation time-to-live when the shop has not set one. */
export const DEFAULT_RESERVATION_TTL_MINUTES = 15

/** The shop's reservation TTL in minutes (newest `shop_checkout_settings` row, else 15). */
export async function reservationTtlMinutes(
  trx: TransactionClientContract,
  tenantId: number
): Promise<number> {
  const row = await trx
    .from('shop_checkout_settings')
    .where('tenant_id', tenantId)
    .orderBy('id', 'desc')
    .select('reservation_ttl_minutes')
    .first()
  return row ? Number(row.reservation_ttl_minutes) : DEFAULT_RESERVATION_TTL_MINUTES
}

/** Change the shop's reservation TTL (1-1440 minutes); history is kept, newest wins. */
export async function setReservationTtl(
  trx: TransactionClientContract,
  tenantId: number,
  minutes: number
) {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    throw new RangeError('reservation TTL must be 1-1440 minutes')
  }
  await trx
    .table('shop_checkout_settings')
    .insert({ tenant_id: tenantId, reservation_ttl_minutes: minutes })
}

/**
 * Claim up to `quantity` available items of `productId` for `orderId`, in the caller's
 * transaction. The claim is one statement in the safe form
 * `WITH c AS MATERIALIZED (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) UPDATE … FROM c`: the
 * CTE is evaluated once, so exactly the rows it locked are updated (the `WHERE id IN
 * (SELECT … LIMIT n …)` form can claim more than n). Rows another transaction is claiming
 * are skipped, never waited for. Returns the claimed ids (fewer than asked = not enough
 * stock; the caller decides, usually by rolling back).
 */
export async function claimItems(
  trx: TransactionClientContract,
  tenantId: number,
  productId: number,
  orderId: number,
  quantity: number
): Promise<number[]> {
  const { rows } = await trx.rawQuery(
    `WITH c AS MATERIALIZED (
       SELECT id FROM card_items
        WHERE tenant_id = ? AND product_id = ? AND status = 'available'
        ORDER BY id
        LIMIT ?
        FOR UPDATE SKIP LOCKED
     )
     UPDATE card_items ci
        SET status = 'reserved', reserved_order_id = ?, reserved_at = now()
       FROM c
      WHERE ci.tenant_id = ? AND ci.id = c.id
     RETURNING ci.id`,
    [tenantId, productId, quantity, orderId, tenantId]
  )
  return rows.map((r: { id: number }) => Number(r.id))
}

/** Give an order's reserved (not sold) items back to stock. Returns how many. */
export async function releaseOrderItems(
  trx: TransactionClientContract,
  tenantId: number,
  orderIds: number[]
): Promise<number> {
  if (!orderIds.length) return 0
  const result = await trx.rawQuery(
    `UPDATE card_items
        SET status = 'available', reserved_order_id = NULL, reserved_at = NULL
      WHERE tenant_id = ? AND status = 'reserved' AND reserved_order_id = ANY(?::bigint[])`,
    [tenantId, orderIds]
  )
  return result.rowCount ?? 0
}

export interface ExpiredReservation {
  orderId: number
  orderNo: string
  released: number
}

/**
 * Expire the shop's pending orders whose reservation ended before `now` (at most `limit`),
 * and give their items back: one unit of work. Orders are claimed with
 * `FOR UPDATE SKIP LOCKED`, so an order whose payment is being confirmed right now (that
 * transaction holds the order row) is skipped and the payment wins; a payment arriving
 * after this commits finds the order `expired` and re-reserves. Idempotent: an expired
 * order is no longer `pending`.
 */
export async function expireReservations(
  trx: TransactionClientContract,
  tenantId: number,
  options: { now?: Date; limit?: number } = {}
): Promise<ExpiredReservation[]> {
  const now = options.now ?? new Date()
  const limit = options.limit ?? 500
  const { rows } = await trx.rawQuery(
    `WITH due AS MATERIALIZED (
       SELECT id FROM orders
        WHERE tenant_id = ? AND status = 'pending' AND reserved_until < ?
        ORDER BY reserved_until
        LIMIT ?
        FOR UPDATE SKIP LOCKED
     )
     UPDATE orders o
        SET status = 'expired', expired_at = ?, updated_at = now()
       FROM due
      WHERE o.tenant_id = ? AND o.id = due.id
     RETURNING o.id, o.order_no`,
    [tenantId, now, limit, now, tenantId]
  )
  const out: ExpiredReservation[] = []
  for (const row of rows) {
    const orderId = Number(row.id)
    const released = await releaseOrderItems(trx, tenantId, [orderId])
    await trx.table('order_events').insert({
      tenant_id: tenantId,
      order_id: orderId,
      kind: 'expired',
      data: JSON.stringify({ released }),
    })
    out.push({ orderId, orderNo: row.order_no, released })
  }
  return out
}

/** Expire due reservations of one shop in batches, one transaction per batch. */
export async function expireShopReservations(
  tenant: TenantRef,
  options: { now?: Date; batch?: number } = {}
): Promise<number> {
  let total = 0
  for (;;) {
    const batch = await withTenant(
      (trx) => expireReservations(trx, tenant.id, { now: options.now, limit: options.batch }),
      tenant
    )
    total += batch.length
    if (batch.length < (options.batch ?? 500)) return total
  }
}

/** Shops with pending orders past their reservation (platform role, read-only). */
export async function findShopsWithDueReservations(
  trx: TransactionClientContract,
  now: Date
): Promise<number[]> {
  const { rows } = await trx.rawQuery(
    `SELECT DISTINCT tenant_id FROM orders WHERE status = 'pending' AND reserved_until < ?`,
    [now]
  )
  return rows.map((r: { tenant_id: number }) => Number(r.tenant_id))
}
