import { requireTenant, withTenant } from '#tenancy'
import User from '#models/user'

/** A token as listed (never its value or hash). */
export interface ApiTokenRow {
  id: number
  name: string | null
  abilities: string[]
  createdByEmail: string | null
  createdAt: Date
  lastUsedAt: Date | null
  expiresAt: Date | null
  expired: boolean
}

/** Every API token of the shop in context, newest first. */
export default class ListApiTokens {
  static async handle(): Promise<ApiTokenRow[]> {
    const tenant = requireTenant()
    const rows = await withTenant((trx) =>
      trx
        .from('auth_access_tokens as t')
        .leftJoin('users as u', 'u.id', 't.tokenable_id')
        .select(
          't.id',
          't.name',
          't.abilities',
          't.created_at',
          't.last_used_at',
          't.expires_at',
          'u.email'
        )
        .where('t.tenant_id', tenant.id)
        .where('t.type', User.accessTokens.tokenType)
        .orderBy('t.id', 'desc')
    )
    const now = Date.now()
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      abilities: JSON.parse(row.abilities),
      createdByEmail: row.email,
      createdAt: new Date(row.created_at),
      lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
      expiresAt: row.expires_at ? new Date(row.expires_at) : null,
      expired: row.expires_at ? new Date(row.expires_at).getTime() <= now : false,
    }))
  }
}
