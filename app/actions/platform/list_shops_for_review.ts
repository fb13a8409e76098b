import { withPlatform } from '#tenancy'
import type { TenantStatus } from '#models/tenant'

export const SHOPS_PER_PAGE = 50

export interface ShopListItem {
  id: number
  slug: string
  name: string
  status: TenantStatus
  createdAt: Date
  ownerEmail: string | null
}

/**
 * Shops in one status for the admin review list, oldest first (the queue order),
 * with the owner's address. Cross-tenant (owners are RLS rows): audited platform read.
 */
export default class ListShopsForReview {
  async handle(input: {
    adminId: number
    ip: string
    status: TenantStatus
    page: number
  }): Promise<{ shops: ShopListItem[]; hasMore: boolean }> {
    const rows = await withPlatform(
      {
        actorType: 'platform_admin',
        actorId: input.adminId,
        reason: `admin.shops.list status=${input.status}`,
        ip: input.ip,
      },
      (trx) =>
        trx
          .from('tenants as t')
          .where('t.status', input.status)
          .orderBy('t.created_at', 'asc')
          .orderBy('t.id', 'asc')
          .offset((input.page - 1) * SHOPS_PER_PAGE)
          .limit(SHOPS_PER_PAGE + 1)
          .select('t.id', 't.slug', 't.name', 't.status', 't.created_at')
          .select(
            trx.raw(
              `(SELECT u.email FROM tenant_members m JOIN users u ON u.id = m.user_id
                WHERE m.tenant_id = t.id AND m.role = 'owner' ORDER BY m.id LIMIT 1) AS owner_email`
            )
          )
    )
    return {
      hasMore: rows.length > SHOPS_PER_PAGE,
      shops: rows.slice(0, SHOPS_PER_PAGE).map((r) => ({
        id: Number(r.id),
        slug: r.slug,
        name: r.name,
        status: r.status,
        createdAt: r.created_at,
        ownerEmail: r.owner_email,
      })),
    }
  }
}
