import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import { DateTime } from 'luxon'
import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import StaffInvitationMail from '#mails/merchant/staff_invitation_mail'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { AlreadyMemberException } from '#actions/merchant/errors'
import {
  INVITATION_TTL_DAYS,
  invitationUrl,
  newInvitationToken,
} from '#actions/merchant/invitations/invitation_token'

/**
 * An owner invites someone by email to join as staff. An open invitation to the same
 * address is replaced (the old link stops working), so "invite again" is "resend". The
 * mail goes out after the commit; if sending fails the invitation stands and the owner is
 * told to resend.
 *
 * @throws AlreadyMemberException when the address already belongs to a member.
 */
export default class InviteStaff {
  static async handle(input: {
    actor: MerchantMember
    email: string
    ip: string
    locale: string
  }): Promise<{ invitationId: number; mailed: boolean }> {
    const tenant = requireTenant()
    const email = input.email.toLowerCase()
    const { token, hash } = newInvitationToken()
    const expiresAt = DateTime.now().plus({ days: INVITATION_TTL_DAYS })

    const invitationId = await withTenant(async (trx) => {
      const existing = await trx
        .from('tenant_members as m')
        .join('users as u', 'u.id', 'm.user_id')
        .whereRaw('lower(u.email) = ?', [email])
        .first()
      if (existing) throw new AlreadyMemberException('Already a member')

      const replaced = await trx
        .from('staff_invitations')
        .whereRaw('lower(email) = ?', [email])
        .whereNull('accepted_at')
        .del()
      const [row] = await trx
        .table('staff_invitations')
        .insert({
          tenant_id: tenant.id,
          email,
          role: 'staff',
          token_hash: hash,
          invited_by: input.actor.userId,
          expires_at: expiresAt.toJSDate(),
        })
        .returning('id')
      const id = Number(typeof row === 'object' ? row.id : row)
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'user', id: input.actor.userId },
        action: 'member.invited',
        target: { type: 'staff_invitation', id },
        ip: input.ip,
        metadata: { email, role: { before: null, after: 'staff' }, replaced: Number(replaced) },
      })
      return id
    })

    try {
      await mail.send(
        new StaffInvitationMail(
          email,
          tenant.name,
          invitationUrl(tenant.slug, token),
          expiresAt.toJSDate(),
          input.locale
        )
      )
      return { invitationId, mailed: true }
    } catch (error) {
      logger.error(
        { err: error, tenantId: tenant.id, invitationId },
        'staff invitation mail failed'
      )
      return { invitationId, mailed: false }
    }
  }
}
