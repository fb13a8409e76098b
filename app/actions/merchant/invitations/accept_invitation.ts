import { errors as authErrors } from '@adonisjs/auth'
import { DateTime } from 'luxon'
import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import User from '#models/user'
import TenantMember from '#models/tenant_member'
import { merchantLoginThrottle } from '#actions/merchant/session/login_throttle'
import { findOpenInvitation } from '#actions/merchant/invitations/get_invitation'

/** How the invitee proves who they are. */
export type AcceptCredentials =
  /** They have an account: the password of the account with the invitation's email. */
  | { kind: 'existing'; password: string }
  /** They have none: a new account with the invitation's email (verified by the link). */
  | { kind: 'new'; password: string; fullName: string | null }

/** What accepting came to; `ok` carries the user to sign in. */
export type AcceptResult =
  | { kind: 'ok'; user: User }
  | { kind: 'invalid_credentials' }
  | { kind: 'throttled'; retryAfterSeconds: number }
  /** A new account was asked for, but one exists with that email: log in instead. */
  | { kind: 'account_exists' }

/**
 * Accept a staff invitation from its link. The email is always the invitation's own (it
 * is never taken from the form), so an existing account can only accept an invitation
 * addressed to it. In one transaction: the invitation is locked and re-checked, the user
 * is created (new account) or marked verified (the link proves inbox access), the
 * membership is added, the invitation is marked accepted, and `member.joined` is audited.
 *
 * @throws InvitationInvalidException when the link is unknown, used or expired.
 */
export default class AcceptInvitation {
  static async handle(input: {
    token: string
    credentials: AcceptCredentials
    ip: string
    locale: string
  }): Promise<AcceptResult> {
    const tenant = requireTenant()
    const invitation = await withTenant((trx) => findOpenInvitation(trx, input.token))
    const email = invitation.email.toLowerCase()

    let existing: User | null = null
    if (input.credentials.kind === 'existing') {
      const password = input.credentials.password
      try {
        const [throttled, user] = await merchantLoginThrottle(
          tenant.slug,
          email,
          input.ip
        ).penalize(() => User.verifyCredentials(email, password))
        if (throttled)
          return { kind: 'throttled', retryAfterSeconds: throttled.response.availableIn }
        existing = user
      } catch (error) {
        if (error instanceof authErrors.E_INVALID_CREDENTIALS)
          return { kind: 'invalid_credentials' }
        throw error
      }
    } else if (await User.query().whereRaw('lower(email) = ?', [email]).first()) {
      return { kind: 'account_exists' }
    }

    const credentials = input.credentials
    try {
      const joined = await withTenant(async (trx) => {
        const open = await findOpenInvitation(trx, input.token, { lock: true })
        const now = DateTime.now()
        let user: User
        if (existing) {
          user = existing
          if (!user.emailVerifiedAt) {
            user.useTransaction(trx)
            user.emailVerifiedAt = now
            await user.save()
          }
        } else {
          user = await User.create(
            {
              email,
              password: credentials.password,
              fullName: credentials.kind === 'new' ? credentials.fullName : null,
              locale: input.locale,
              emailVerifiedAt: now,
            },
            { client: trx }
          )
        }

        const already = await TenantMember.query({ client: trx }).where('user_id', user.id).first()
        const member =
          already ??
          (await TenantMember.create(
            { tenantId: tenant.id, userId: user.id, role: open.role },
            { client: trx }
          ))
        await trx
          .from('staff_invitations')
          .where('id', open.id)
          .update({ accepted_at: now.toJSDate() })
        await recordTenantAudit(trx, tenant.id, {
          actor: { type: 'user', id: user.id },
          action: 'member.joined',
          target: { type: 'tenant_member', id: member.id },
          ip: input.ip,
          metadata: {
            invitationId: open.id,
            email,
            newAccount: !existing,
            role: { before: already?.role ?? null, after: member.role },
          },
        })
        return user
      })
      return { kind: 'ok', user: joined }
    } catch (error) {
      if ((error as { code?: string }).code === '23505' && !existing)
        return { kind: 'account_exists' }
      throw error
    }
  }
}
