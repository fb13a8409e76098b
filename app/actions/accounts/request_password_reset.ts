import { createHash, randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { findUserByEmail } from '#actions/accounts/find_user_by_email'
import { consumeOrThrow, emailKey, tryConsume } from '#actions/accounts/throttles'
import { deliver } from '#mails/deliver'
import PasswordResetNotification from '#mails/password_reset_notification'
import { platformUrl } from '#actions/platform/platform_urls'

/** How long a reset link works. */
export const RESET_TOKEN_TTL_MINUTES = 60

/** Only the SHA-256 of a token is stored; the token itself exists only in the email. */
export function hashResetToken(token: string) {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * "Forgot password" for merchant accounts. The caller shows the same answer whatever
 * happens here: unknown address, known address, or an address over its mail budget
 * (three per hour, silently skipped). Only the per-IP budget is visible (429), and it
 * says nothing about any address.
 */
export default class RequestPasswordReset {
  async handle(input: { email: string; ip: string }): Promise<void> {
    await consumeOrThrow([{ policy: 'resetIp', key: input.ip }], 'reset')

    const user = await findUserByEmail(input.email)
    if (!user) return
    if (!(await tryConsume({ policy: 'resetEmail', key: emailKey(user.email) }))) return

    const token = randomBytes(32).toString('base64url')
    await db
      .connection('app')
      .table('password_reset_tokens')
      .insert({
        user_id: user.id,
        token_hash: hashResetToken(token),
        expires_at: DateTime.now().plus({ minutes: RESET_TOKEN_TTL_MINUTES }).toJSDate(),
      })

    await deliver(
      new PasswordResetNotification(
        user.email,
        user.locale,
        platformUrl(`/reset-password/${token}`)
      )
    )
  }
}
