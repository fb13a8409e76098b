import { BaseSchema, protectTenantTable } from '#plugin_sdk/migrations'

/**
 * notify-webhook's delivery log: one row per (shop, event), so a redelivered event never
 * creates a second delivery; a tenant table under forced RLS like every other.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('plg_notify_webhook_deliveries', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      // The host's stable event id (e.g. `order.paid:<order no>`): the idempotency key.
      table.string('event_id', 200).notNullable()
      table
        .string('kind', 40)
        .notNullable()
        .checkIn(['order.paid', 'order.delivered', 'order.refunded'], 'plg_nw_deliveries_kind')
      // The JSON sent (the event payload carries no secrets).
      table.jsonb('payload').notNullable()
      table
        .string('status', 12)
        .notNullable()
        .defaultTo('pending')
        .checkIn(['pending', 'retrying', 'delivered', 'failed'], 'plg_nw_deliveries_status')
      table.integer('attempts').notNullable().defaultTo(0)
      table.integer('last_status_code').nullable()
      table.string('last_error', 300).nullable()
      table.timestamp('next_attempt_at', { useTz: true }).nullable()
      table.timestamp('delivered_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'event_id'])
      table.index(['tenant_id', 'created_at'])
    })
    protectTenantTable(this, 'plg_notify_webhook_deliveries')
  }

  async down() {
    this.schema.dropTable('plg_notify_webhook_deliveries')
  }
}
