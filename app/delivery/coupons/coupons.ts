import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  COUPON_COLUMNS,
  normalizeCode,
  toCoupon,
  validateCoupon,
  type Coupon,
  type CouponInput,
} from '#delivery/coupons/coupon'
import { CouponError } from '#delivery/coupons/errors'

/**
 * Order statuses that hold a coupon use. An expired, cancelled or mismatched order gives its
 * use back (the same rule as the per-buyer product limit).
 */
export const COUPON_USE_STATUSES_SQL = `o.status NOT IN ('expired', 'cancelled', 'payment_mismatch')`

type Trx = TransactionClientContract

/** A coupon of the shop set on `trx` by id, or null (another shop's id is not found). */
export async function findCoupon(
  trx: Trx,
  tenantId: number,
  couponId: number,
  options: { lock?: boolean } = {}
): Promise<Coupon | null> {
  if (!Number.isSafeInteger(couponId) || couponId <= 0) return null
  const { rows } = await trx.rawQuery(
    `SELECT ${COUPON_COLUMNS} FROM coupons WHERE tenant_id = ? AND id = ?${options.lock ? ' FOR UPDATE' : ''}`,
    [tenantId, couponId]
  )
  return rows[0] ? toCoupon(rows[0]) : null
}

/**
 * A coupon by the code a buyer typed (trimmed, any case), or null. With `lock`, the row is
 * locked `FOR UPDATE` until the caller's transaction ends: that serialises every checkout
 * using this coupon, so its usage limits are counted race-free.
 */
export async function findCouponByCode(
  trx: Trx,
  tenantId: number,
  rawCode: unknown,
  options: { lock?: boolean } = {}
): Promise<Coupon | null> {
  const code = normalizeCode(rawCode)
  if (!code) return null
  const { rows } = await trx.rawQuery(
    `SELECT ${COUPON_COLUMNS} FROM coupons WHERE tenant_id = ? AND code = ?${options.lock ? ' FOR UPDATE' : ''}`,
    [tenantId, code]
  )
  return rows[0] ? toCoupon(rows[0]) : null
}

/** Orders holding a use of the coupon: all of them, and those of one buyer or contact. */
export async function countCouponUses(
  trx: Trx,
  tenantId: number,
  couponId: number,
  contact?: { buyerId: number | null; contactEmail: string }
): Promise<number> {
  const bindings: unknown[] = [tenantId, couponId]
  let who = ''
  if (contact) {
    who = contact.buyerId ? ' AND o.buyer_id = ?' : ' AND lower(o.contact_email) = lower(?)'
    bindings.push(contact.buyerId ?? contact.contactEmail)
  }
  const { rows } = await trx.rawQuery(
    `SELECT count(*)::int AS n FROM orders o
      WHERE o.tenant_id = ? AND o.coupon_id = ? AND ${COUPON_USE_STATUSES_SQL}${who}`,
    bindings as any[]
  )
  return Number(rows[0].n)
}

/** The scope's product or category must be this shop's (RLS hides the others: not found). */
async function checkScopeTarget(trx: Trx, tenantId: number, input: Required<CouponInput>) {
  const [table, id, field] =
    input.scope === 'product'
      ? ['products', input.productId, 'product_id']
      : input.scope === 'category'
        ? ['categories', input.categoryId, 'category_id']
        : [null, null, null]
  if (!table) return
  const found = await trx.from(table).where({ tenant_id: tenantId, id }).select('id').first()
  if (!found) throw new CouponError('E_COUPON_INVALID', `no such ${field}`, { field })
}

function codeTaken(error: any): never {
  if (error?.code === '23505') {
    throw new CouponError('E_COUPON_CODE_TAKEN', 'this code is taken', { field: 'code' })
  }
  throw error
}

function columns(data: Required<CouponInput>) {
  return [
    data.code,
    data.kind,
    data.value.toString(),
    data.currency,
    data.scope,
    data.productId,
    data.categoryId,
    data.minAmountMinor.toString(),
    data.totalLimit,
    data.perContactLimit,
    data.startsAt,
    data.endsAt,
    data.active,
  ]
}

/**
 * Create a coupon in the shop set on `trx`. `E_COUPON_INVALID` (details.field) for a bad
 * definition or a product/category that is not this shop's, `E_COUPON_CODE_TAKEN`.
 */
export async function createCoupon(trx: Trx, tenantId: number, input: CouponInput) {
  const data = validateCoupon(input)
  await checkScopeTarget(trx, tenantId, data)
  const { rows } = await trx
    .rawQuery(
      `INSERT INTO coupons (tenant_id, code, kind, value, currency, scope, product_id, category_id,
          min_amount_minor, total_limit, per_contact_limit, starts_at, ends_at, active)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, code) DO NOTHING
       RETURNING ${COUPON_COLUMNS}`,
      [tenantId, ...columns(data)] as any[]
    )
    .catch(codeTaken)
  if (!rows[0]) codeTaken({ code: '23505' })
  return toCoupon(rows[0])
}

/**
 * Replace a coupon's definition (locks its row, so a checkout using it waits or sees the
 * new one). Returns the coupon before and after. `E_COUPON_NOT_FOUND` for another shop's id.
 */
export async function updateCoupon(
  trx: Trx,
  tenantId: number,
  couponId: number,
  input: CouponInput
): Promise<{ before: Coupon; after: Coupon }> {
  const before = await findCoupon(trx, tenantId, couponId, { lock: true })
  if (!before) throw new CouponError('E_COUPON_NOT_FOUND', 'no such coupon')
  const data = validateCoupon(input)
  await checkScopeTarget(trx, tenantId, data)
  const { rows } = await trx
    .rawQuery(
      `UPDATE coupons SET code = ?, kind = ?, value = ?, currency = ?, scope = ?, product_id = ?,
          category_id = ?, min_amount_minor = ?, total_limit = ?, per_contact_limit = ?,
          starts_at = ?, ends_at = ?, active = ?
        WHERE tenant_id = ? AND id = ?
        RETURNING ${COUPON_COLUMNS}`,
      [...columns(data), tenantId, couponId] as any[]
    )
    .catch(codeTaken)
  return { before, after: toCoupon(rows[0]) }
}

/** Stop a coupon being used by new orders (orders that hold it keep their price). */
export async function deactivateCoupon(trx: Trx, tenantId: number, couponId: number) {
  if (!Number.isSafeInteger(couponId) || couponId <= 0) {
    throw new CouponError('E_COUPON_NOT_FOUND', 'no such coupon')
  }
  const { rows } = await trx.rawQuery(
    `UPDATE coupons SET active = false WHERE tenant_id = ? AND id = ? RETURNING ${COUPON_COLUMNS}`,
    [tenantId, couponId]
  )
  if (!rows[0]) throw new CouponError('E_COUPON_NOT_FOUND', 'no such coupon')
  return toCoupon(rows[0])
}

/** The shop's coupons, newest first, each with its current number of uses. */
export async function listCoupons(
  trx: Trx,
  tenantId: number
): Promise<Array<Coupon & { uses: number }>> {
  const { rows } = await trx.rawQuery(
    `SELECT ${COUPON_COLUMNS},
            (SELECT count(*)::int FROM orders o
              WHERE o.tenant_id = coupons.tenant_id AND o.coupon_id = coupons.id
                AND ${COUPON_USE_STATUSES_SQL}) AS uses
       FROM coupons WHERE tenant_id = ? ORDER BY id DESC LIMIT 500`,
    [tenantId]
  )
  return rows.map((row: any) => ({ ...toCoupon(row), uses: Number(row.uses) }))
}
