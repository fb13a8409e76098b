import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import logger from '@adonisjs/core/services/logger'

/** What the merchant must look at (one `merchant_alerts` row each). */
export const ALERT_KINDS = [
  'low_stock',
  'payment_mismatch',
  'paid_unfulfilled',
  'extra_payment',
  'manual_order',
  'plugin_failure',
  'payment_disputed',
] as const
export type AlertKind = (typeof ALERT_KINDS)[number]

export interface NewAlert {
  tenantId: number
  kind: AlertKind
  orderId?: number | null
  productId?: number | null
  /** Small, non-secret facts (order number, amounts, stock count). Never a card secret. */
  data?: Record<string, unknown>
}

export interface MerchantAlert {
  id: number
  kind: AlertKind
  orderId: number | null
  productId: number | null
  data: Record<string, unknown>
  createdAt: Date
  readAt: Date | null
}

/**
 * Record an alert in the caller's transaction (so it exists exactly when the change that
 * caused it commits). Returns its id. Notifying the owners by mail happens after commit
 * (`MerchantAlertMailJob`), never inside the transaction.
 */
export async function raiseAlert(trx: TransactionClientContract, alert: NewAlert): Promise<number> {
  const [row] = await trx
    .table('merchant_alerts')
    .insert({
      tenant_id: alert.tenantId,
      kind: alert.kind,
      order_id: alert.orderId ?? null,
      product_id: alert.productId ?? null,
      data: JSON.stringify(alert.data ?? {}),
    })
    .returning('id')
  const id = Number(typeof row === 'object' ? row.id : row)
  logger.warn({ tenantId: alert.tenantId, kind: alert.kind, alertId: id }, 'merchant alert')
  return id
}

function toAlert(row: any): MerchantAlert {
  return {
    id: Number(row.id),
    kind: row.kind,
    orderId: row.order_id === null ? null : Number(row.order_id),
    productId: row.product_id === null ? null : Number(row.product_id),
    data: row.data ?? {},
    createdAt: new Date(row.created_at),
    readAt: row.read_at ? new Date(row.read_at) : null,
  }
}

/** The shop's alerts, newest first (unread only by default). */
export async function listAlerts(
  trx: TransactionClientContract,
  tenantId: number,
  options: { unreadOnly?: boolean; limit?: number } = {}
): Promise<MerchantAlert[]> {
  const query = trx
    .from('merchant_alerts')
    .where('tenant_id', tenantId)
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(options.limit ?? 50, 1), 200))
  if (options.unreadOnly ?? true) query.whereNull('read_at')
  const rows = await query.select('*')
  return rows.map(toAlert)
}

/** Mark alerts read (all unread ones when `ids` is omitted). Returns how many changed. */
export async function markAlertsRead(
  trx: TransactionClientContract,
  tenantId: number,
  ids?: number[]
): Promise<number> {
  const query = trx
    .from('merchant_alerts')
    .where('tenant_id', tenantId)
    .whereNull('read_at')
    .update({ read_at: trx.raw('now()') })
  if (ids)
    query.whereIn(
      'id',
      ids.filter((id) => Number.isSafeInteger(id) && id > 0)
    )
  return Number(await query)
}
