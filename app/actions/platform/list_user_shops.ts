import { withPlatform } from '#tenancy'
import type { TenantStatus } from '#models/tenant'
import type { MemberRole } from '#models/tenant_member'
import { shopUrl } from '#actions/platform/platform_urls'

/** One of a merchant's shops, as the "your shops" page shows it. */
export interface UserShop {
  id: number
  slug: string
  name: string
  status: TenantStatus
  role: MemberRole
  reviewNote: string | null
  /**
   * The shop's own dashboard login; null while suspended (the shop host then shows only
   * the suspension notice). A rejected shop's dashboard stays reachable for its review note.
   */
  dashboardUrl: string | null
}

/**
 * The shops a merchant belongs to. Memberships live in every shop's RLS-protected rows,
 * so this is a cross-tenant read: it runs on the platform role and is audited.
 */
export default class ListUserShops {
  async handle(input: { userId: number; ip: string }): Promise<UserShop[]> {
    const rows = await withPlatform(
      { actorType: 'system', reason: `merchant.list_own_shops user=${input.userId}`, ip: input.ip },
      (trx) =>
        trx
          .from('tenant_members as m')
          .join('tenants as t', 't.id', 'm.tenant_id')
          .where('m.user_id', input.userId)
          .orderBy('t.created_at', 'asc')
          .select('t.id', 't.slug', 't.name', 't.status', 't.review_note', 'm.role')
    )
    return rows.map((row) => ({
      id: Number(row.id),
      slug: row.slug,
      name: row.name,
      status: row.status,
      role: row.role,
      reviewNote: ['rejected', 'suspended'].includes(row.status) ? row.review_note : null,
      dashboardUrl: row.status === 'suspended' ? null : shopUrl(row.slug, '/merchant/login'),
    }))
  }
}
