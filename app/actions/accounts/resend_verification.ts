import User from '#models/user'
import { consumeOrThrow } from '#actions/accounts/throttles'
import SendVerificationEmail from '#actions/accounts/send_verification_email'

/**
 * Send the verification link again to a merchant who proved their password but has not
 * verified yet. Three per hour per account, ten per hour per IP.
 */
export default class ResendVerification {
  async handle(input: {
    userId: number
    ip: string
  }): Promise<'sent' | 'already_verified' | 'unknown'> {
    const user = await User.find(input.userId)
    if (!user) return 'unknown'
    if (user.emailVerifiedAt) return 'already_verified'
    await consumeOrThrow(
      [
        { policy: 'resendUser', key: String(user.id) },
        { policy: 'resendIp', key: input.ip },
      ],
      'resend'
    )
    await new SendVerificationEmail().handle(user)
    return 'sent'
  }
}
