import { withPlatform } from '#tenancy'
import type { TenantStatus } from '#models/tenant'

export interface AdminDashboard {
  shops: Record<TenantStatus, number> & { total: number }
  merchants: number
  unverifiedMerchants: number
  recentEvents: {
    occurredAt: Date
    action: string
    actorType: string
    actorId: number | null
    tenantId: number | null
  }[]
}

/** Counts for the admin home page and the latest platform audit events (audited read). */
export default class GetAdminDashboard {
  async handle(input: { adminId: number; ip: string }): Promise<AdminDashboard> {
    return withPlatform(
      {
        actorType: 'platform_admin',
        actorId: input.adminId,
        reason: 'admin.dashboard',
        ip: input.ip,
      },
      async (trx) => {
        const byStatus = await trx
          .from('tenants')
          .groupBy('status')
          .select('status')
          .count('* as n')
        const shops = { pending_review: 0, active: 0, rejected: 0, suspended: 0, total: 0 }
        for (const row of byStatus) {
          shops[row.status as TenantStatus] = Number(row.n)
          shops.total += Number(row.n)
        }
        const [users] = await trx
          .from('users')
          .select(
            trx.raw('count(*) as total'),
            trx.raw('count(*) filter (where email_verified_at is null) as unverified')
          )
        const recent = await trx
          .from('platform_audit_events')
          .whereNot('action', 'platform.access')
          .orderBy('id', 'desc')
          .limit(10)
          .select('occurred_at', 'action', 'actor_type', 'actor_id', 'tenant_id')
        return {
          shops,
          merchants: Number(users.total),
          unverifiedMerchants: Number(users.unverified),
          recentEvents: recent.map((r) => ({
            occurredAt: r.occurred_at,
            action: r.action,
            actorType: r.actor_type,
            actorId: r.actor_id,
            tenantId: r.tenant_id,
          })),
        }
      }
    )
  }
}
