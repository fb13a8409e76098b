import { createHash } from 'node:crypto'
import router from '@adonisjs/core/services/router'
import type User from '#models/user'
import VerifyEmailNotification from '#mails/verify_email_notification'
import { deliver } from '#mails/deliver'
import { platformOrigin } from '#actions/platform/platform_urls'

/** Purpose bound into the signature, so no other signed URL can stand in for it. */
export const VERIFY_EMAIL_PURPOSE = 'verify_email'

/**
 * Ties a link to the address it was sent to: if the address ever changes, older links stop
 * working. A short hash, so the address itself is not in the URL (or in access logs).
 */
export function emailFingerprint(email: string) {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16)
}

/** The signed link to `GET /verify-email/:id`, valid 24 hours, on the platform host. */
export function verificationUrl(user: User): string {
  return router.urlBuilder.signedUrlFor(
    'platform.verify_email',
    { id: user.id },
    {
      expiresIn: '24h',
      purpose: VERIFY_EMAIL_PURPOSE,
      prefixUrl: platformOrigin(),
      qs: { e: emailFingerprint(user.email) },
    }
  )
}

/** Mail the verification link. Call after the user row has committed. */
export default class SendVerificationEmail {
  async handle(user: User) {
    await deliver(new VerifyEmailNotification(user.email, user.locale, verificationUrl(user)))
  }
}
