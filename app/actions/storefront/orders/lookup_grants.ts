import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Session } from '@adonisjs/session'
import type { TenantRef } from '#tenancy'
import { toOrder, type Order } from '#delivery'
import { ORDER_COLUMNS } from '#delivery/orders/order'
import { isOrderNo } from '#actions/storefront/orders/orders'

/** How long a successful lookup lets this browser session act on the order (resend). */
export const LOOKUP_GRANT_MS = 30 * 60_000
/** Orders remembered per session (oldest dropped). */
const MAX_GRANTS = 10
const KEY = 'orderLookupGrants'

type Grants = Record<string, number>

function current(session: Session, now = Date.now()): Grants {
  const raw = session.get(KEY)
  const out: Grants = {}
  if (!raw || typeof raw !== 'object') return out
  for (const [id, until] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof until === 'number' && until > now) out[id] = until
  }
  return out
}

/**
 * After a lookup proved access (order no + email + query password), remember the order in
 * this session for {@link LOOKUP_GRANT_MS}, so the buyer can ask for the mail again without
 * the password travelling in a hidden field. Sessions are per shop host.
 */
export function grantLookupAccess(session: Session, orderId: number) {
  const grants = current(session)
  grants[String(orderId)] = Date.now() + LOOKUP_GRANT_MS
  const kept = Object.entries(grants)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_GRANTS)
  session.put(KEY, Object.fromEntries(kept))
}

/** The order with this number if this session looked it up recently, else null. */
export async function findGrantedOrder(
  trx: TransactionClientContract,
  tenant: TenantRef,
  session: Session,
  orderNo: string
): Promise<Order | null> {
  if (!isOrderNo(orderNo)) return null
  const ids = Object.keys(current(session)).map(Number)
  if (!ids.length) return null
  const { rows } = await trx.rawQuery(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE tenant_id = ? AND order_no = ? AND id = ANY(?::bigint[])`,
    [tenant.id, orderNo.toUpperCase(), ids]
  )
  return rows[0] ? toOrder(rows[0]) : null
}
