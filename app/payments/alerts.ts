import { recordPlatformAudit } from '#audit'
import { setTenantOn, tenantDirectory, withPlatform } from '#tenancy'

/** One open payment alert as the platform admins' list shows it. */
export interface AdminPaymentAlert {
  id: number
  tenantId: number
  shopSlug: string
  shopName: string
  gateway: string
  kind: string
  orderId: number | null
  orderNo: string | null
  attemptId: number | null
  data: Record<string, unknown>
  createdAt: Date
}

const LIMIT = 200

/**
 * Open payment alerts across shops, newest first (reconciliation mismatches, payments the
 * core could not confirm, repeated query failures, disputes). Cross-tenant read: audited.
 */
export function listOpenPaymentAlerts(input: {
  adminId: number
  ip?: string | null
}): Promise<AdminPaymentAlert[]> {
  return withPlatform(
    {
      actorType: 'platform_admin',
      actorId: input.adminId,
      reason: 'payment_alerts.list',
      ip: input.ip ?? null,
    },
    async (trx) => {
      const rows = await trx
        .from('payment_alerts as a')
        .join('tenants as t', 't.id', 'a.tenant_id')
        .leftJoin('orders as o', (join) => {
          join.on('o.tenant_id', 'a.tenant_id').andOn('o.id', 'a.order_id')
        })
        .whereNull('a.resolved_at')
        .orderBy('a.created_at', 'desc')
        .limit(LIMIT)
        .select('a.*', 't.slug as shop_slug', 't.name as shop_name', 'o.order_no')
      return rows.map((r: any) => ({
        id: Number(r.id),
        tenantId: Number(r.tenant_id),
        shopSlug: r.shop_slug,
        shopName: r.shop_name,
        gateway: r.gateway,
        kind: r.kind,
        orderId: r.order_id === null ? null : Number(r.order_id),
        orderNo: r.order_no ?? null,
        attemptId: r.attempt_id === null ? null : Number(r.attempt_id),
        data: r.data ?? {},
        createdAt: new Date(r.created_at),
      }))
    }
  )
}

export type ResolveAlertResult =
  { ok: true } | { ok: false; reason: 'not_found' | 'already_resolved' | 'note' }

/**
 * Resolve one alert with a note (2–500 characters): who, when and why are kept on the row
 * and in the platform audit chain. Resolving twice is refused (`already_resolved`).
 */
export async function resolvePaymentAlert(input: {
  adminId: number
  tenantId: number
  alertId: number
  note: unknown
  ip?: string | null
}): Promise<ResolveAlertResult> {
  const note = typeof input.note === 'string' ? input.note.trim() : ''
  const length = [...note].length
  if (length < 2 || length > 500) return { ok: false, reason: 'note' }
  if (
    !Number.isSafeInteger(input.tenantId) ||
    input.tenantId <= 0 ||
    !Number.isSafeInteger(input.alertId) ||
    input.alertId <= 0
  ) {
    return { ok: false, reason: 'not_found' }
  }
  if (!(await tenantDirectory.findById(input.tenantId))) return { ok: false, reason: 'not_found' }
  return withPlatform<ResolveAlertResult>(
    {
      actorType: 'platform_admin',
      actorId: input.adminId,
      reason: 'payment_alert.resolved',
      tenantId: input.tenantId,
      ip: input.ip ?? null,
    },
    async (trx) => {
      await setTenantOn(trx, input.tenantId)
      const row = await trx
        .from('payment_alerts')
        .where({ tenant_id: input.tenantId, id: input.alertId })
        .forUpdate()
        .first()
      if (!row) return { ok: false, reason: 'not_found' }
      if (row.resolved_at) return { ok: false, reason: 'already_resolved' }
      await trx
        .from('payment_alerts')
        .where({ tenant_id: input.tenantId, id: input.alertId })
        .update({ resolved_at: new Date(), resolved_by: input.adminId, resolution_note: note })
      await recordPlatformAudit(trx, {
        tenantId: input.tenantId,
        actor: { type: 'platform_admin', id: input.adminId },
        action: 'payment_alert.resolved',
        target: { type: 'payment_alert', id: input.alertId },
        ip: input.ip ?? null,
        metadata: { kind: row.kind, gateway: row.gateway, note },
      })
      return { ok: true }
    }
  )
}
