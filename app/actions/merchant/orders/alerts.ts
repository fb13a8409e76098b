import { withTenant, type TenantRef } from '#tenancy'
import { markAlertsRead } from '#delivery'

export interface AlertRow {
  id: number
  kind: string
  orderId: number | null
  orderNo: string | null
  productName: string | null
  data: Record<string, unknown>
  createdAt: Date
  readAt: Date | null
}

/** The shop's alerts: unread first, then newest first (at most 200). */
export function listShopAlerts(tenant: TenantRef): Promise<AlertRow[]> {
  return withTenant(async (trx) => {
    const rows = await trx
      .from('merchant_alerts as a')
      .leftJoin('orders as o', (j) =>
        j.on('o.tenant_id', 'a.tenant_id').andOn('o.id', 'a.order_id')
      )
      .leftJoin('products as p', (j) =>
        j.on('p.tenant_id', 'a.tenant_id').andOn('p.id', 'a.product_id')
      )
      .where('a.tenant_id', tenant.id)
      .orderByRaw('(a.read_at IS NULL) DESC, a.id DESC')
      .limit(200)
      .select(
        'a.id',
        'a.kind',
        'a.order_id',
        'a.data',
        'a.created_at',
        'a.read_at',
        'o.order_no',
        'p.name as product_name'
      )
    return rows.map((r: any) => ({
      id: Number(r.id),
      kind: r.kind,
      orderId: r.order_id === null ? null : Number(r.order_id),
      orderNo: r.order_no ?? null,
      productName: r.product_name ?? null,
      data: r.data ?? {},
      createdAt: new Date(r.created_at),
      readAt: r.read_at ? new Date(r.read_at) : null,
    }))
  }, tenant)
}

/** Unread alerts of the shop (dashboard badge). */
export function unreadAlertCount(tenant: TenantRef): Promise<number> {
  return withTenant(async (trx) => {
    const row = await trx
      .from('merchant_alerts')
      .where('tenant_id', tenant.id)
      .whereNull('read_at')
      .count('* as n')
      .first()
    return Number(row?.n ?? 0)
  }, tenant)
}

/** Mark one alert (or, with `id` null, every unread alert) read. Returns how many changed. */
export function markShopAlertsRead(tenant: TenantRef, id: number | null): Promise<number> {
  return withTenant((trx) => markAlertsRead(trx, tenant.id, id === null ? undefined : [id]), tenant)
}
