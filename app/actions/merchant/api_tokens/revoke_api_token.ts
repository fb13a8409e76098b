import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import type { MerchantMember } from '#actions/merchant/session/find_membership'
import { ApiTokenNotFoundException } from '#actions/merchant/errors'

/**
 * An owner revokes one of the shop's API tokens (any owner's); it stops working at once.
 *
 * @throws ApiTokenNotFoundException for a token that is not this shop's.
 */
export default class RevokeApiToken {
  static async handle(input: { actor: MerchantMember; tokenId: number; ip: string }) {
    const tenant = requireTenant()
    await withTenant(async (trx) => {
      const [row] = await trx
        .from('auth_access_tokens')
        .where({ id: input.tokenId, tenant_id: tenant.id })
        .del()
        .returning(['id', 'name', 'abilities', 'tokenable_id'])
      if (!row) throw new ApiTokenNotFoundException('No such token')
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'user', id: input.actor.userId },
        action: 'api_token.revoked',
        target: { type: 'api_token', id: row.id },
        ip: input.ip,
        metadata: {
          name: row.name,
          abilities: JSON.parse(row.abilities),
          createdBy: row.tokenable_id,
        },
      })
    })
  }
}
