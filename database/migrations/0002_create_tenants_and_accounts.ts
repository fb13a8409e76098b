import { BaseSchema } from '@adonisjs/lucid/schema'
import { grantRuntime } from '#database/helpers/tenancy_sql'

/**
 * Platform-global tables (on the allowlist in tests/security/schema.spec.ts):
 * shops, merchant user accounts, platform admins.
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
    grantRuntime(this, 'tenants')

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
    grantRuntime(this, 'users')

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
    grantRuntime(this, 'platform_admins')
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
    grantRuntime(this, 'auth_access_tokens')

    this.schema.createTable('password_reset_tokens', (table) => {
      table.bigIncrements('id').primary()
      table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE')
      table.string('token_hash', 64).notNullable().unique()
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('used_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    grantRuntime(this, 'password_reset_tokens')
  }

  async down() {
    for (const t of ['password_reset_tokens', 'auth_access_tokens']) this.schema.dropTable(t)
    this.schema.alterTable('tenants', (table) => table.dropForeign('reviewed_by'))
    for (const t of ['platform_admins', 'users', 'tenants']) this.schema.dropTable(t)
  }
}
