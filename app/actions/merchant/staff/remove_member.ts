import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { LastOwnerException, MemberNotFoundException } from '#actions/merchant/errors'
import { lockMember, lockOwners } from '#actions/merchant/staff/lock_owners'

/**
 * An owner removes a member (staff, another owner, or themselves unless they are the last
 * owner). The member's API tokens for this shop are deleted in the same transaction, so
 * nothing they issued keeps working.
 *
 * @returns whether the actor removed themselves (the caller then ends their session).
 * @throws MemberNotFoundException, LastOwnerException
 */
export default class RemoveMember {
  static async handle(input: {
    actor: MerchantMember
    memberId: number
    ip: string
  }): Promise<{ removedSelf: boolean }> {
    const tenant = requireTenant()
    return withTenant(async (trx) => {
      const owners = await lockOwners(trx)
      const target = await lockMember(trx, input.memberId)
      if (!target) throw new MemberNotFoundException('No such member')
      if (target.role === 'owner' && owners.length <= 1) {
        throw new LastOwnerException('Cannot remove the last owner')
      }

      await trx.from('tenant_members').where('id', target.id).del()
      const tokens = await trx
        .from('auth_access_tokens')
        .where({ tenant_id: tenant.id, tokenable_id: target.user_id })
        .del()
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'user', id: input.actor.userId },
        action: 'member.removed',
        target: { type: 'tenant_member', id: target.id },
        ip: input.ip,
        metadata: {
          userId: target.user_id,
          email: target.email,
          role: { before: target.role, after: null },
          revokedApiTokens: Number(tokens),
        },
      })
      return { removedSelf: target.user_id === input.actor.userId }
    })
  }
}
