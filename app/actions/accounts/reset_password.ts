import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import User from '#models/user'
import { recordPlatformAudit } from '#audit'
import { hashResetToken } from '#actions/accounts/request_password_reset'
import { passwordProblems } from '#validators/platform/rules'

export type ResetPasswordResult = 'reset' | 'invalid_token' | 'password_is_email'

/** A usable token's row, locked for the rest of the transaction. */
async function lockUsableToken(trx: TransactionClientContract, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null
  return trx
    .from('password_reset_tokens')
    .where('token_hash', hashResetToken(token))
    .whereNull('used_at')
    .where('expires_at', '>', DateTime.now().toJSDate())
    .forUpdate()
    .first()
}

/** Whether a reset link can still be used (for the GET page; no side effects). */
export async function resetTokenIsUsable(token: string): Promise<boolean> {
  return db
    .connection('app')
    .transaction(async (trx) => (await lockUsableToken(trx, token)) !== null)
}

/**
 * Set a new password from a reset link, once: the token row is locked, checked unused and
 * unexpired, then it and every other open token of the account are marked used. Following
 * the link proves the mailbox, so an unverified address becomes verified.
 */
export default class ResetPassword {
  async handle(input: {
    token: string
    password: string
    ip: string
  }): Promise<ResetPasswordResult> {
    return db.connection('app').transaction(async (trx) => {
      const row = await lockUsableToken(trx, input.token)
      if (!row) return 'invalid_token'

      const user = await User.query({ client: trx })
        .where('id', row.user_id)
        .forUpdate()
        .firstOrFail()
      if (passwordProblems(input.password, user.email).includes('not_email')) {
        return 'password_is_email'
      }

      user.password = input.password
      user.emailVerifiedAt ??= DateTime.now()
      await user.useTransaction(trx).save()
      await trx
        .from('password_reset_tokens')
        .where('user_id', user.id)
        .whereNull('used_at')
        .update({ used_at: DateTime.now().toJSDate() })
      await recordPlatformAudit(trx, {
        actor: { type: 'user', id: user.id },
        action: 'user.password_reset',
        target: { type: 'user', id: user.id },
        ip: input.ip,
      })
      return 'reset'
    })
  }
}
