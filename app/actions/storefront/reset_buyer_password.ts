import Buyer from '#models/buyer'
import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import { consumeAttempt } from '#actions/storefront/limits'
import { RESET_TOKEN_PATTERN, hashResetToken } from '#actions/storefront/password_reset_tokens'

export interface ResetBuyerPasswordInput {
  token: string
  password: string
  ip: string
}

/**
 * Set a new password from a reset link. The token row is locked, must belong to this shop,
 * be unused and unexpired; using it also retires every other open token of that buyer.
 * The change and its audit record commit together.
 *
 * @returns false when the link is invalid, used or expired (nothing is written).
 * @throws StorefrontThrottledException after 10 submissions per shop + IP in 15 minutes.
 */
export default class ResetBuyerPassword {
  static async handle({ token, password, ip }: ResetBuyerPasswordInput): Promise<boolean> {
    const tenant = requireTenant()
    await consumeAttempt({ tenant, ip }, 'resetSubmissions')
    if (!RESET_TOKEN_PATTERN.test(token)) return false

    return withTenant(async (trx) => {
      const reset = await trx
        .from('buyer_password_resets')
        .select('id', 'buyer_id')
        .where('tenant_id', tenant.id)
        .where('token_hash', hashResetToken(token))
        .whereNull('used_at')
        .where('expires_at', '>', trx.raw('now()'))
        .forUpdate()
        .first()
      if (!reset) return false

      const buyer = await Buyer.query({ client: trx })
        .where('tenant_id', tenant.id)
        .where('id', reset.buyer_id)
        .forUpdate()
        .firstOrFail()
      buyer.password = password
      await buyer.save()

      await trx
        .from('buyer_password_resets')
        .where('tenant_id', tenant.id)
        .where('buyer_id', buyer.id)
        .whereNull('used_at')
        .update({ used_at: trx.raw('now()') })
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'buyer', id: buyer.id },
        action: 'buyer.password_reset',
        target: { type: 'buyer', id: buyer.id },
        ip,
      })
      return true
    })
  }
}
