import { BaseSchema } from '@adonisjs/lucid/schema'
import { grantGlobal } from '#database/helpers/tenancy_sql'

/**
 * Platform-global tables (on the allowlist in tests/security/schema.spec.ts):
 * shops, merchant user accounts, platform admins. No RLS here, so grants are the fence:
 * the app role reads the shop directory and registers shops but cannot change a shop's
 * status; it never sees platform admins.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('tenants', (table) => {
      table.bigIncrements('id').primary()
      table.string('slug', 63).notNullable().unique()
      table.string('name', 120).notNullable()
      table
        .string('status', 20)
        .notNullable()
        .defaultTo('pending_review')
        .checkIn(['pending_review', 'active', 'rejected', 'suspended'], 'tenants_status_check')
      table.text('review_note').nullable()
      table.timestamp('reviewed_at', { useTz: true }).nullable()
      table.bigInteger('reviewed_by').nullable()
      table.string('default_locale', 10).notNullable().defaultTo('zh-CN')
      table.string('currency', 3).notNullable().defaultTo('CNY')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    grantGlobal(this, 'tenants', {
      app: ['SELECT', 'INSERT'],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })

    this.schema.createTable('users', (table) => {
      table.bigIncrements('id').primary()
      table.string('email', 254).notNullable()
      table.string('full_name', 120).nullable()
      table.string('password').notNullable()
      table.string('locale', 10).nullable()
      table.timestamp('email_verified_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))')
    grantGlobal(this, 'users', {
      app: ['SELECT', 'INSERT', 'UPDATE'],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })

    this.schema.createTable('platform_admins', (table) => {
      table.bigIncrements('id').primary()
      table.string('email', 254).notNullable()
      table.string('full_name', 120).nullable()
      table.string('password').notNullable()
      table.timestamp('last_login_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(
      'CREATE UNIQUE INDEX platform_admins_email_unique ON platform_admins (lower(email))'
    )
    grantGlobal(this, 'platform_admins', {
      app: [],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })
    this.schema.alterTable('tenants', (table) => {
      table.foreign('reviewed_by').references('platform_admins.id')
    })

    this.schema.createTable('auth_access_tokens', (table) => {
      table.bigIncrements('id').primary()
      table.bigInteger('tokenable_id').notNullable().references('users.id').onDelete('CASCADE')
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.string('type').notNullable()
      table.string('name').nullable()
      table.string('hash').notNullable()
      table.text('abilities').notNullable()
      table.timestamp('created_at', { useTz: true })
      table.timestamp('updated_at', { useTz: true })
      table.timestamp('last_used_at', { useTz: true }).nullable()
      table.timestamp('expires_at', { useTz: true }).nullable()
    })
    // Each row names the shop it is valid for; TenantAccessTokensProvider filters on it.
    grantGlobal(this, 'auth_access_tokens', {
      app: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })

    this.schema.createTable('password_reset_tokens', (table) => {
      table.bigIncrements('id').primary()
      table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE')
      table.string('token_hash', 64).notNullable().unique()
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('used_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    grantGlobal(this, 'password_reset_tokens', {
      app: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })
  }

  async down() {
    for (const t of ['password_reset_tokens', 'auth_access_tokens']) this.schema.dropTable(t)
    this.schema.alterTable('tenants', (table) => table.dropForeign('reviewed_by'))
    for (const t of ['platform_admins', 'users', 'tenants']) this.schema.dropTable(t)
  }
}
