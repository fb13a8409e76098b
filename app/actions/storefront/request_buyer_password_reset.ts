import mail from '@adonisjs/mail/services/main'
import type { I18n } from '@adonisjs/i18n'
import Buyer from '#models/buyer'
import { requireTenant, withTenant } from '#tenancy'
import { consumeAttempt } from '#actions/storefront/limits'
import BuyerPasswordResetMail from '#mails/storefront/buyer_password_reset_mail'
import {
  RESET_TOKEN_TTL,
  hashResetToken,
  newResetToken,
  shopUrl,
} from '#actions/storefront/password_reset_tokens'

export interface RequestBuyerPasswordResetInput {
  email: string
  ip: string
  /** The language of the email (the visitor's). */
  i18n: I18n
}

/**
 * "Forgot password" in the current shop. When the email has an account here, store a new
 * token (hashed, valid one hour) and queue the link by mail after the commit. The caller
 * answers the same either way, and the mail is queued rather than sent inline, so neither
 * the response nor its timing tells whether the email has an account.
 *
 * @throws StorefrontThrottledException after 3 requests per shop + IP + email or 10 per
 *   shop + IP within an hour.
 */
export default class RequestBuyerPasswordReset {
  static async handle({ email, ip, i18n }: RequestBuyerPasswordResetInput): Promise<void> {
    const tenant = requireTenant()
    await consumeAttempt({ tenant, ip, email }, 'resetRequests', 'resetRequestsPerEmail')

    const token = newResetToken()
    const buyer = await withTenant(async (trx) => {
      const found = await Buyer.query({ client: trx })
        .where('tenant_id', tenant.id)
        .whereRaw('lower(email) = ?', [email])
        .first()
      if (!found) return null
      await trx.table('buyer_password_resets').insert({
        tenant_id: tenant.id,
        buyer_id: found.id,
        token_hash: hashResetToken(token),
        expires_at: trx.raw(`now() + ${RESET_TOKEN_TTL}`),
      })
      return found
    })
    if (!buyer) return

    await mail.sendLater(
      new BuyerPasswordResetMail({
        to: buyer.email,
        shopName: tenant.name,
        resetUrl: shopUrl(tenant, `/account/reset-password/${token}`),
        i18n,
      })
    )
  }
}
