/**
 * `#plugin_sdk/migrations`: what a plugin's migrations (`plugins/<id>/migrations/*.ts`)
 * import. Plugin tables are tenant tables like the core's: name them
 * `plg_<id with "-" as "_">_<name>`, give them `tenant_id` (→ tenants.id) and the key
 * `(tenant_id, id)`, and call `protectTenantTable(this, name)` for each (forced row level
 * security and the runtime grants). The host refuses a plugin whose migrations name a
 * table outside its prefix, and the security suite checks every `plg_` table.
 *
 * @example
 * import { BaseSchema, protectTenantTable } from '#plugin_sdk/migrations'
 * export default class extends BaseSchema {
 *   async up() {
 *     this.schema.createTable('plg_my_plugin_notes', (table) => {
 *       table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
 *       table.bigIncrements('id', { primaryKey: false })
 *       table.text('body').notNullable()
 *       table.primary(['tenant_id', 'id'])
 *     })
 *     protectTenantTable(this, 'plg_my_plugin_notes')
 *   }
 *   async down() {
 *     this.schema.dropTable('plg_my_plugin_notes')
 *   }
 * }
 */
export { BaseSchema } from '@adonisjs/lucid/schema'
export { protectTenantTable, makeAppendOnly } from '#database/helpers/tenancy_sql'
