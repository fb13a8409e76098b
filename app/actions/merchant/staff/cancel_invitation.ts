import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { InvitationNotFoundException } from '#actions/merchant/errors'

/**
 * An owner withdraws an invitation that has not been accepted; its link stops working.
 *
 * @throws InvitationNotFoundException for an unknown or already accepted invitation.
 */
export default class CancelInvitation {
  static async handle(input: { actor: MerchantMember; invitationId: number; ip: string }) {
    const tenant = requireTenant()
    await withTenant(async (trx) => {
      const [row] = await trx
        .from('staff_invitations')
        .where('id', input.invitationId)
        .whereNull('accepted_at')
        .del()
        .returning(['id', 'email', 'role'])
      if (!row) throw new InvitationNotFoundException('No open invitation')
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'user', id: input.actor.userId },
        action: 'member.invitation_cancelled',
        target: { type: 'staff_invitation', id: row.id },
        ip: input.ip,
        metadata: { email: row.email, role: { before: row.role, after: null } },
      })
    })
  }
}
