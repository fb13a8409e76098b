import { requireTenant, withTenant } from '#tenancy'
import { RESET_TOKEN_PATTERN, hashResetToken } from '#actions/storefront/password_reset_tokens'

/**
 * Whether a reset token still works in the current shop (exists here, unused, not expired),
 * so the page can say so before the buyer types a new password.
 */
export default class CheckBuyerPasswordReset {
  static async handle(token: string): Promise<boolean> {
    if (!RESET_TOKEN_PATTERN.test(token)) return false
    const tenant = requireTenant()
    const row = await withTenant((trx) =>
      trx
        .from('buyer_password_resets')
        .select('id')
        .where('tenant_id', tenant.id)
        .where('token_hash', hashResetToken(token))
        .whereNull('used_at')
        .where('expires_at', '>', trx.raw('now()'))
        .first()
    )
    return Boolean(row)
  }
}
