import { BaseModel, column } from '@adonisjs/lucid/orm'
import { compose } from '@adonisjs/core/helpers'
import hash from '@adonisjs/core/services/hash'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import type { DateTime } from 'luxon'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

/**
 * An optional buyer account of one shop (tenant table, RLS): a buyer of shop A does not
 * exist in shop B. Every query must run inside `withTenant` (see BuyerUserProvider).
 */
export default class Buyer extends compose(BaseModel, AuthFinder) {
  static table = 'buyers'

  @column() declare tenantId: number
  @column({ isPrimary: true }) declare id: number
  @column() declare email: string
  @column() declare fullName: string | null
  @column({ serializeAs: null }) declare password: string
  @column.dateTime() declare emailVerifiedAt: DateTime | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime
}
