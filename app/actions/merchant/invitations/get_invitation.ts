import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { requireTenant, withTenant } from '#tenancy'
import { InvitationInvalidException } from '#actions/merchant/errors'
import { hashInvitationToken } from '#actions/merchant/invitations/invitation_token'

/** An open invitation as the accept page shows it. */
export interface InvitationView {
  email: string
  role: 'staff'
  expiresAt: Date
  /** Whether a Lianka account with this email exists: then the invitee logs in to accept. */
  accountExists: boolean
}

/** A row of `staff_invitations` that is still usable. */
export interface OpenInvitation {
  id: number
  email: string
  role: 'staff'
  expiresAt: Date
}

/**
 * The open invitation for a link token, read with `lock` under `FOR UPDATE`.
 *
 * @throws InvitationInvalidException when unknown, accepted or expired.
 */
export async function findOpenInvitation(
  trx: TransactionClientContract,
  token: string,
  options: { lock?: boolean } = {}
): Promise<OpenInvitation> {
  const query = trx
    .from('staff_invitations')
    .select('id', 'email', 'role', 'expires_at', 'accepted_at')
    .where('token_hash', hashInvitationToken(token))
  if (options.lock) query.forUpdate()
  const row = await query.first()
  if (!row || row.accepted_at || new Date(row.expires_at).getTime() <= Date.now()) {
    throw new InvitationInvalidException('Invitation unknown, used or expired')
  }
  return { id: row.id, email: row.email, role: row.role, expiresAt: new Date(row.expires_at) }
}

/** What the accept page needs for a link token. */
export default class GetInvitation {
  static async handle(token: string): Promise<InvitationView> {
    requireTenant()
    return withTenant(async (trx) => {
      const invitation = await findOpenInvitation(trx, token)
      const account = await trx
        .from('users')
        .select('id')
        .whereRaw('lower(email) = ?', [invitation.email.toLowerCase()])
        .first()
      return {
        email: invitation.email,
        role: invitation.role,
        expiresAt: invitation.expiresAt,
        accountExists: Boolean(account),
      }
    })
  }
}
