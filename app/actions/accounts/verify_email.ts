import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import User from '#models/user'
import { recordPlatformAudit } from '#audit'
import { emailFingerprint } from '#actions/accounts/send_verification_email'

export type VerifyEmailResult = 'verified' | 'already_verified' | 'invalid'

/**
 * Mark the address of user `id` as verified. The caller has checked the URL signature;
 * this checks the link still names the account's current address. Idempotent.
 */
export default class VerifyEmail {
  async handle(input: {
    userId: number
    fingerprint: string
    ip: string
  }): Promise<VerifyEmailResult> {
    return db.connection('app').transaction(async (trx) => {
      const user = await User.query({ client: trx }).where('id', input.userId).forUpdate().first()
      if (!user || emailFingerprint(user.email) !== input.fingerprint) return 'invalid'
      if (user.emailVerifiedAt) return 'already_verified'
      user.emailVerifiedAt = DateTime.now()
      await user.useTransaction(trx).save()
      await recordPlatformAudit(trx, {
        actor: { type: 'user', id: user.id },
        action: 'user.email_verified',
        target: { type: 'user', id: user.id },
        ip: input.ip,
      })
      return 'verified'
    })
  }
}
