import { BaseModel, column } from '@adonisjs/lucid/orm'
import { compose } from '@adonisjs/core/helpers'
import hash from '@adonisjs/core/services/hash'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import type { DateTime } from 'luxon'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['email'],
  passwordColumnName: 'password',
})

/** A platform administrator; created only with `node ace admin:create` (no default accounts). */
export default class PlatformAdmin extends compose(BaseModel, AuthFinder) {
  static table = 'platform_admins'
  /** Only the platform role may read or write admin accounts (see AdminUserProvider). */
  static connection = 'platform'

  @column({ isPrimary: true }) declare id: number
  @column() declare email: string
  @column() declare fullName: string | null
  @column({ serializeAs: null }) declare password: string
  @column.dateTime() declare lastLoginAt: DateTime | null
  @column.dateTime({ autoCreate: true }) declare createdAt: DateTime
  @column.dateTime({ autoCreate: true, autoUpdate: true }) declare updatedAt: DateTime
}
