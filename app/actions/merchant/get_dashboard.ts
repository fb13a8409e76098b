import { requireTenant, withTenant } from '#tenancy'
import type { TenantStatus } from '#models/tenant'

/** What the dashboard home shows. */
export interface DashboardView {
  shop: { name: string; slug: string; status: TenantStatus; reviewNote: string | null }
  memberCount: number
  pendingInvitationCount: number
}

/** The shop's state (incl. the platform's review note) and a few counts for the home page. */
export default class GetDashboard {
  static async handle(): Promise<DashboardView> {
    const tenant = requireTenant()
    return withTenant(async (trx) => {
      const shop = await trx
        .from('tenants')
        .select('name', 'slug', 'status', 'review_note')
        .where('id', tenant.id)
        .firstOrFail()
      const members = await trx.from('tenant_members').count('* as total').first()
      const invitations = await trx
        .from('staff_invitations')
        .whereNull('accepted_at')
        .where('expires_at', '>', new Date())
        .count('* as total')
        .first()
      return {
        shop: {
          name: shop.name,
          slug: shop.slug,
          status: shop.status,
          reviewNote: shop.review_note,
        },
        memberCount: Number(members?.total ?? 0),
        pendingInvitationCount: Number(invitations?.total ?? 0),
      }
    })
  }
}
