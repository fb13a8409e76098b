import { withPlatform } from '#tenancy'
import { findTenantId } from '#actions/platform/find_tenant_id'
import type { TenantStatus } from '#models/tenant'

export interface ShopReviewDetail {
  id: number
  slug: string
  name: string
  status: TenantStatus
  defaultLocale: string
  currency: string
  reviewNote: string | null
  reviewedAt: Date | null
  reviewedBy: string | null
  createdAt: Date
  members: { email: string; role: string; emailVerified: boolean }[]
  history: {
    occurredAt: Date
    action: string
    actorType: string
    metadata: Record<string, unknown>
  }[]
}

/** One shop for the admin detail page: members and review history (audited platform read). */
export default class GetShopForReview {
  async handle(input: {
    adminId: number
    ip: string
    /** From the URL; anything that is not an existing shop's id gives null. */
    tenantId: unknown
  }): Promise<ShopReviewDetail | null> {
    const tenantId = await findTenantId(input.tenantId)
    if (tenantId === null) return null
    return withPlatform(
      {
        actorType: 'platform_admin',
        actorId: input.adminId,
        reason: 'admin.shops.show',
        tenantId,
        ip: input.ip,
      },
      async (trx) => {
        const tenant = await trx
          .from('tenants as t')
          .leftJoin('platform_admins as a', 'a.id', 't.reviewed_by')
          .where('t.id', tenantId)
          .select('t.*', 'a.email as reviewer_email')
          .first()
        if (!tenant) return null
        const members = await trx
          .from('tenant_members as m')
          .join('users as u', 'u.id', 'm.user_id')
          .where('m.tenant_id', tenant.id)
          .orderBy('m.id')
          .select('u.email', 'm.role', 'u.email_verified_at')
        const history = await trx
          .from('platform_audit_events')
          .where('tenant_id', tenant.id)
          .whereLike('action', 'shop.%')
          .orderBy('id', 'desc')
          .limit(20)
          .select('occurred_at', 'action', 'actor_type', 'metadata')
        return {
          id: Number(tenant.id),
          slug: tenant.slug,
          name: tenant.name,
          status: tenant.status,
          defaultLocale: tenant.default_locale,
          currency: tenant.currency,
          reviewNote: tenant.review_note,
          reviewedAt: tenant.reviewed_at,
          reviewedBy: tenant.reviewer_email,
          createdAt: tenant.created_at,
          members: members.map((m) => ({
            email: m.email,
            role: m.role,
            emailVerified: m.email_verified_at !== null,
          })),
          history: history.map((h) => ({
            occurredAt: h.occurred_at,
            action: h.action,
            actorType: h.actor_type,
            metadata: h.metadata ?? {},
          })),
        }
      }
    )
  }
}
