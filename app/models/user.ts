import { BaseModel, column } from '@adonisjs/lucid/orm'
import { compose } from '@adonisjs/core/helpers'
import hash from '@adonisjs/core/services/hash'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import { TenantAccessTokensProvider } from '#auth/tenant_access_tokens_provider'
import type { DateTime } from 'luxon'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

/**
 * A merchant account (shop owner or staff). Platform-global: one person can belong to
 * several shops through `tenant_members`.
 */
export default class User extends compose(BaseModel, AuthFinder) {
  static table = 'users'

  @column({ isPrimary: true }) declare id: number
  @column() declare email: string
  @column() declare fullName: string | null
  @column({ serializeAs: null }) declare password: string
  @column() declare locale: string | null
  @column.dateTime() declare emailVerifiedAt: DateTime | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime

  /**
   * Tenant API tokens. Each row carries the shop it was issued for; creating, verifying and
   * listing are scoped to the tenant in context (app/auth/tenant_access_tokens_provider.ts).
   */
  static accessTokens = TenantAccessTokensProvider.forModel(User, {
    prefix: 'lk_',
    table: 'auth_access_tokens',
    type: 'auth_token',
    tokenSecretLength: 40,
  })
}
