import { BaseSchema } from '@adonisjs/lucid/schema'
import { grantGlobal, protectTenantTable } from '#database/helpers/tenancy_sql'

/**
 * Plugin host (docs/architecture.md, "Plugin host"): the platform's plugin catalogue
 * (global: plugins, their versions and review state, plugin authors) and each shop's
 * installations (tenant table under forced RLS). Plugin code itself is not in the
 * database; a version row records the validated manifest summary and the review.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('plugin_authors', (table) => {
      // An author is a platform user account (users) who submits plugins.
      table.bigInteger('user_id').primary().references('users.id').onDelete('CASCADE')
      table.string('display_name', 80).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    grantGlobal(this, 'plugin_authors', {
      app: ['SELECT', 'INSERT'],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })

    this.schema.createTable('plugins', (table) => {
      table.string('id', 40).primary()
      // First-party plugins ship with the platform (plugins/<id>/) and are pre-approved.
      table.boolean('first_party').notNullable().defaultTo(false)
      table.bigInteger('author_user_id').nullable().references('plugin_authors.user_id')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.check(`id ~ '^[a-z0-9][a-z0-9-]{1,39}$'`, [], 'plugins_id_check')
    })
    grantGlobal(this, 'plugins', {
      app: ['SELECT', 'INSERT'],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })

    this.schema.createTable('plugin_versions', (table) => {
      table.string('plugin_id', 40).notNullable().references('plugins.id').onDelete('CASCADE')
      table.string('version', 64).notNullable()
      // Validated manifest summary: name, description, author, engine, permissions, hooks,
      // capabilities, settings fields (no code, no secrets).
      table.jsonb('manifest').notNullable()
      table
        .string('status', 10)
        .notNullable()
        .defaultTo('pending')
        .checkIn(['pending', 'approved', 'rejected'], 'plugin_versions_status_check')
      table.text('review_note').nullable()
      table.bigInteger('reviewed_by').nullable().references('platform_admins.id')
      table.timestamp('reviewed_at', { useTz: true }).nullable()
      // Submitted tarball (third-party): content hash, size, where the file lives (drive).
      table.string('tarball_sha256', 64).nullable()
      table.integer('tarball_bytes').nullable()
      table.string('storage_key', 255).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['plugin_id', 'version'])
    })
    grantGlobal(this, 'plugin_versions', {
      app: ['SELECT', 'INSERT'],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })

    this.schema.createTable('tenant_plugins', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('plugin_id', 40).notNullable()
      // The version this shop runs (pinned; upgrades are the merchant's decision).
      table.string('version', 64).notNullable()
      table.boolean('enabled').notNullable().defaultTo(false)
      // The permissions the owner consented to at install (or upgrade).
      table.jsonb('granted_permissions').notNullable().defaultTo('[]')
      // Non-secret settings (validated against the version's schema on save and on load).
      table.jsonb('settings').notNullable().defaultTo('{}')
      // Secret settings: JSON encrypted with the shop's data key (app/delivery/secrets).
      table.binary('secret_settings').nullable()
      table.bigInteger('installed_by').nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('installed_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'plugin_id'])
      table
        .foreign(['plugin_id', 'version'])
        .references(['plugin_id', 'version'])
        .inTable('plugin_versions')
    })
    protectTenantTable(this, 'tenant_plugins')
  }

  async down() {
    this.schema.dropTable('tenant_plugins')
    this.schema.dropTable('plugin_versions')
    this.schema.dropTable('plugins')
    this.schema.dropTable('plugin_authors')
  }
}
