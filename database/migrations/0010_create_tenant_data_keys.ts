import { BaseSchema } from '@adonisjs/lucid/schema'
import { protectTenantTable } from '#database/helpers/tenancy_sql'

/**
 * Per-shop data keys for card secrets (app/delivery/secrets). Each row is one version of
 * the shop's AES-256 data key, wrapped (AES-256-GCM) by the platform master key named by
 * `master_key_id`. The active key is the highest version not retired; retired versions
 * stay forever (old ciphertexts name their version), so rows are never deleted by the app.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('tenant_data_keys', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.integer('version').notNullable()
      table.binary('wrapped_key').notNullable()
      table.string('master_key_id', 8).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('retired_at', { useTz: true }).nullable()
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'version'])
    })
    this.schema.raw(
      'ALTER TABLE tenant_data_keys ADD CONSTRAINT tenant_data_keys_version_positive CHECK (version > 0)'
    )
    protectTenantTable(this, 'tenant_data_keys')
  }

  async down() {
    this.schema.dropTable('tenant_data_keys')
  }
}
