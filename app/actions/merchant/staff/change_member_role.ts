import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import type { MemberRole } from '#models/tenant_member'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { LastOwnerException, MemberNotFoundException } from '#actions/merchant/errors'
import { lockMember, lockOwners } from '#actions/merchant/staff/lock_owners'

/**
 * An owner makes a member owner or staff. Demoting the last owner is refused: the owner
 * rows are locked first, so two owners demoting each other cannot both succeed.
 *
 * @returns whether anything changed (the same role again is a no-op, not audited).
 * @throws MemberNotFoundException, LastOwnerException
 */
export default class ChangeMemberRole {
  static async handle(input: {
    actor: MerchantMember
    memberId: number
    role: MemberRole
    ip: string
  }): Promise<{ changed: boolean }> {
    const tenant = requireTenant()
    return withTenant(async (trx) => {
      const owners = await lockOwners(trx)
      const target = await lockMember(trx, input.memberId)
      if (!target) throw new MemberNotFoundException('No such member')
      if (target.role === input.role) return { changed: false }
      if (target.role === 'owner' && owners.length <= 1) {
        throw new LastOwnerException('Cannot demote the last owner')
      }

      await trx
        .from('tenant_members')
        .where('id', target.id)
        .update({ role: input.role, updated_at: new Date() })
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'user', id: input.actor.userId },
        action: 'member.role_changed',
        target: { type: 'tenant_member', id: target.id },
        ip: input.ip,
        metadata: {
          userId: target.user_id,
          email: target.email,
          role: { before: target.role, after: input.role },
        },
      })
      return { changed: true }
    })
  }
}
