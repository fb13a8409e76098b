import { DateTime } from 'luxon'
import { withPlatform, tenantDirectory } from '#tenancy'
import { recordPlatformAudit } from '#audit'
import type { TenantStatus } from '#models/tenant'
import { findTenantId } from '#actions/platform/find_tenant_id'

export type ReviewDecision = 'approve' | 'reject' | 'suspend' | 'reinstate'

/** Which statuses each decision applies to, what it leads to, and its audit action. */
export const REVIEW_TRANSITIONS: Record<
  ReviewDecision,
  { from: TenantStatus[]; to: TenantStatus; action: string }
> = {
  approve: { from: ['pending_review', 'rejected'], to: 'active', action: 'shop.approved' },
  reject: { from: ['pending_review'], to: 'rejected', action: 'shop.rejected' },
  suspend: { from: ['active'], to: 'suspended', action: 'shop.suspended' },
  reinstate: { from: ['suspended'], to: 'active', action: 'shop.reinstated' },
}

/** The decisions open for a shop in `status`, in the order the admin page offers them. */
export function decisionsFor(status: TenantStatus): ReviewDecision[] {
  return (Object.keys(REVIEW_TRANSITIONS) as ReviewDecision[]).filter((d) =>
    REVIEW_TRANSITIONS[d].from.includes(status)
  )
}

export type ReviewResult =
  | { ok: true; slug: string; from: TenantStatus; to: TenantStatus }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'invalid_transition'; status: TenantStatus }

export interface ReviewInput {
  adminId: number
  /** From the URL; anything that is not an existing shop's id is `not_found`. */
  tenantId: unknown
  decision: ReviewDecision
  /** Required for `reject` (the validator enforces it); optional otherwise. */
  note: string | null
  ip: string
}

/**
 * A platform admin's decision on a shop, in one audited platform transaction: the tenant
 * row is locked, the transition checked against its current status, the status and
 * review fields written, and `shop.<decision>` recorded with before/after. After commit
 * the shop directory forgets the slug, so this process serves the new status at once
 * (others within the directory's TTL).
 */
export default class ReviewShop {
  async handle(input: ReviewInput): Promise<ReviewResult> {
    const transition = REVIEW_TRANSITIONS[input.decision]
    const tenantId = await findTenantId(input.tenantId)
    if (tenantId === null) return { ok: false, reason: 'not_found' }
    const result = await withPlatform<ReviewResult>(
      {
        actorType: 'platform_admin',
        actorId: input.adminId,
        reason: transition.action,
        tenantId,
        ip: input.ip,
      },
      async (trx) => {
        const tenant = await trx
          .from('tenants')
          .where('id', tenantId)
          .forUpdate()
          .select('id', 'slug', 'status')
          .first()
        if (!tenant) return { ok: false, reason: 'not_found' }
        if (!transition.from.includes(tenant.status)) {
          return { ok: false, reason: 'invalid_transition', status: tenant.status }
        }
        const now = DateTime.now().toJSDate()
        await trx.from('tenants').where('id', tenant.id).update({
          status: transition.to,
          reviewed_at: now,
          reviewed_by: input.adminId,
          review_note: input.note,
          updated_at: now,
        })
        await recordPlatformAudit(trx, {
          actor: { type: 'platform_admin', id: input.adminId },
          action: transition.action,
          tenantId: tenant.id,
          target: { type: 'tenant', id: tenant.id },
          ip: input.ip,
          metadata: { from: tenant.status, to: transition.to, note: input.note },
        })
        return { ok: true, slug: tenant.slug, from: tenant.status, to: transition.to }
      }
    )
    if (result.ok) tenantDirectory.forget(result.slug)
    return result
  }
}
