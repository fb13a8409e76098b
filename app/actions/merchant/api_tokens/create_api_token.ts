import { recordTenantAudit } from '#audit'
import { requireTenant, withTenant } from '#tenancy'
import User from '#models/user'
import type { TenantApiAbility } from '#auth/tenant_api_abilities'

/** The new token, with its value: show it once, never store or log it. */
export interface CreatedApiToken {
  id: number
  name: string
  abilities: TenantApiAbility[]
  expiresAt: Date | null
  value: string
}

/**
 * An owner issues a tenant API token. The row (with the shop's id) and its
 * `api_token.created` audit record commit together; the audit names the token and its
 * abilities, never its value.
 */
export default class CreateApiToken {
  static async handle(input: {
    user: User
    name: string
    abilities: TenantApiAbility[]
    expiresInDays: number | null
    ip: string
  }): Promise<CreatedApiToken> {
    const tenant = requireTenant()
    const abilities = [...new Set(input.abilities)]
    return withTenant(async (trx) => {
      const token = await User.accessTokens.create(input.user, abilities, {
        name: input.name,
        expiresIn: input.expiresInDays ? `${input.expiresInDays} days` : undefined,
      })
      const id = Number(token.identifier)
      await recordTenantAudit(trx, tenant.id, {
        actor: { type: 'user', id: input.user.id },
        action: 'api_token.created',
        target: { type: 'api_token', id },
        ip: input.ip,
        metadata: {
          name: input.name,
          abilities,
          expiresAt: token.expiresAt ? token.expiresAt.toISOString() : null,
        },
      })
      return {
        id,
        name: input.name,
        abilities,
        expiresAt: token.expiresAt,
        value: token.value!.release(),
      }
    })
  }
}
