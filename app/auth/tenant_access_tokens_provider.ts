import { AccessToken, DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import type { DbAccessTokensProviderOptions } from '@adonisjs/auth/types/access_tokens'
import { RuntimeException } from '@adonisjs/core/exceptions'
import type { Secret } from '@adonisjs/core/helpers'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { LucidModel, LucidRow } from '@adonisjs/lucid/types/model'
import { tenantStorage } from '#tenancy'

/** An access token row as stored in `auth_access_tokens` (with the shop it belongs to). */
interface TokenRow {
  id: number
  tenant_id: number
  tokenable_id: number
  type: string
  name: string | null
  hash: string
  abilities: string
  created_at: Date
  updated_at: Date
  last_used_at: Date | null
  expires_at: Date | null
}

/** An access token that knows the shop it was issued for. */
export class TenantAccessToken extends AccessToken {
  /** The only shop on whose host this token authenticates. */
  declare tenantId: number
}

/**
 * Access tokens bound to one shop. `auth_access_tokens.tenant_id` is NOT NULL, and every
 * operation here is scoped to the tenant in context (`#tenancy`):
 *
 * - `create` writes the tenant id in the same INSERT as the hash, on the open `withTenant`
 *   transaction when there is one, so a token never exists without its shop and commits
 *   (or rolls back) together with the caller's audit record;
 * - `verify` only finds tokens of the current shop: a token presented on another shop's
 *   host, or on the platform site, is unknown there (the guard answers 401), and
 *   `last_used_at` moves only after the secret matched;
 * - `find`, `all`, `delete`, `deleteAll` and `invalidate` never reach another shop's rows.
 *
 * Without a tenant in context every method throws (or `verify` returns null).
 */
export class TenantAccessTokensProvider<
  TokenableModel extends LucidModel,
> extends DbAccessTokensProvider<TokenableModel> {
  static forModel<TokenableModel extends LucidModel>(
    model: DbAccessTokensProviderOptions<TokenableModel>['tokenableModel'],
    options?: Omit<DbAccessTokensProviderOptions<TokenableModel>, 'tokenableModel'>
  ): TenantAccessTokensProvider<TokenableModel> {
    return new TenantAccessTokensProvider({ tokenableModel: model, ...(options ?? {}) })
  }

  /** The public token prefix (`lk_`), e.g. for secret scanners and docs. */
  get tokenPrefix(): string {
    return this.prefix
  }

  /** The `type` column value of this provider's rows. */
  get tokenType(): string {
    return this.type
  }

  #userId(user: InstanceType<TokenableModel>): number | string {
    const model = this.options.tokenableModel
    if (!(user instanceof model) || !(user as LucidRow).$primaryKeyValue) {
      throw new RuntimeException(`Invalid user object for "${model.name}" access tokens`)
    }
    return (user as LucidRow).$primaryKeyValue as number | string
  }

  /** The tenant in context and the client to write with (its open transaction if any). */
  async #scope(): Promise<{ tenantId: number; client: QueryClientContract }> {
    const scope = tenantStorage.getStore()
    if (!scope)
      throw new RuntimeException('E_TENANT_MISSING: access tokens need a tenant in context')
    const client = scope.trx && !scope.trx.isCompleted ? scope.trx : await this.getDb()
    return { tenantId: scope.tenant.id, client }
  }

  #toToken(row: TokenRow): TenantAccessToken {
    const token = new TenantAccessToken({
      identifier: row.id,
      tokenableId: row.tokenable_id,
      type: row.type,
      name: row.name,
      hash: row.hash,
      abilities: JSON.parse(row.abilities),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      lastUsedAt: row.last_used_at,
      expiresAt: row.expires_at,
    })
    token.tenantId = Number(row.tenant_id)
    return token
  }

  /**
   * Issue a token for `user` in the shop in context. The returned token carries the
   * secret (`token.value.release()`): show it once, never store or log it.
   */
  async create(
    user: InstanceType<TokenableModel>,
    abilities: string[] = ['*'],
    options?: { expiresIn?: string | number; name?: string }
  ): Promise<TenantAccessToken> {
    const userId = this.#userId(user)
    const { tenantId, client } = await this.#scope()
    const transient = AccessToken.createTransientToken(
      userId,
      this.tokenSecretLength,
      options?.expiresIn || this.options.expiresIn
    )
    const now = new Date()
    const row = {
      tenant_id: tenantId,
      tokenable_id: transient.userId,
      type: this.type,
      name: options?.name || null,
      hash: transient.hash,
      abilities: JSON.stringify(abilities),
      created_at: now,
      updated_at: now,
      last_used_at: null,
      expires_at: transient.expiresAt || null,
    }
    const [inserted] = await client.table(this.table).insert(row).returning('id')
    const id = typeof inserted === 'object' ? inserted.id : inserted
    if (!id) throw new RuntimeException('Cannot save access token: no id returned')

    const token = new TenantAccessToken({
      identifier: id,
      tokenableId: row.tokenable_id,
      type: row.type,
      prefix: this.prefix,
      secret: transient.secret,
      name: row.name,
      hash: row.hash,
      abilities,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
      expiresAt: row.expires_at,
    })
    token.tenantId = tenantId
    return token
  }

  /**
   * Verify a presented token on the current shop's host. Returns null for a malformed,
   * unknown, foreign-shop, wrong-secret or expired token: all look the same to the caller.
   */
  async verify(tokenValue: Secret<string>): Promise<TenantAccessToken | null> {
    const tenantId = tenantStorage.getStore()?.tenant.id
    if (!tenantId) return null
    const decoded = AccessToken.decode(this.prefix, tokenValue.release())
    if (!decoded || !/^[1-9][0-9]{0,15}$/.test(decoded.identifier)) return null

    const db = await this.getDb()
    const row: TokenRow | null = await db
      .query()
      .from(this.table)
      .where({ id: decoded.identifier, type: this.type, tenant_id: tenantId })
      .first()
    if (!row) return null

    const token = this.#toToken(row)
    if (!token.verify(decoded.secret) || token.isExpired()) return null

    token.lastUsedAt = new Date()
    await db
      .from(this.table)
      .where({ id: row.id, tenant_id: tenantId })
      .update({ last_used_at: token.lastUsedAt })
    return token
  }

  async find(user: InstanceType<TokenableModel>, identifier: string | number | BigInt) {
    const userId = this.#userId(user)
    const { tenantId, client } = await this.#scope()
    const row: TokenRow | null = await client
      .from(this.table)
      .where({ id: String(identifier), tokenable_id: userId, type: this.type, tenant_id: tenantId })
      .first()
    return row ? this.#toToken(row) : null
  }

  async all(user: InstanceType<TokenableModel>) {
    const userId = this.#userId(user)
    const { tenantId, client } = await this.#scope()
    const rows: TokenRow[] = await client
      .from(this.table)
      .where({ tokenable_id: userId, type: this.type, tenant_id: tenantId })
      .orderBy('id', 'desc')
    return rows.map((row) => this.#toToken(row))
  }

  async delete(user: InstanceType<TokenableModel>, identifier: string | number | BigInt) {
    const userId = this.#userId(user)
    const { tenantId, client } = await this.#scope()
    const deleted = await client
      .from(this.table)
      .where({ id: String(identifier), tokenable_id: userId, type: this.type, tenant_id: tenantId })
      .del()
    return Number(deleted)
  }

  async deleteAll(user: InstanceType<TokenableModel>) {
    const userId = this.#userId(user)
    const { tenantId, client } = await this.#scope()
    const deleted = await client
      .from(this.table)
      .where({ tokenable_id: userId, type: this.type, tenant_id: tenantId })
      .del()
    return Number(deleted)
  }

  /** Delete the presented token, only when its secret matches (an id alone is not enough). */
  async invalidate(tokenValue: Secret<string>) {
    const decoded = AccessToken.decode(this.prefix, tokenValue.release())
    if (!decoded || !/^[1-9][0-9]{0,15}$/.test(decoded.identifier)) return false
    const { tenantId, client } = await this.#scope()
    const row: TokenRow | null = await client
      .from(this.table)
      .where({ id: decoded.identifier, type: this.type, tenant_id: tenantId })
      .first()
    if (!row || !this.#toToken(row).verify(decoded.secret)) return false
    const deleted = await client.from(this.table).where({ id: row.id, tenant_id: tenantId }).del()
    return Number(deleted) > 0
  }
}
