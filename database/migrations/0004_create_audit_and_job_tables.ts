import { BaseSchema } from '@adonisjs/lucid/schema'
import { grantGlobal, makeAppendOnly, protectTenantTable } from '#database/helpers/tenancy_sql'

/**
 * Audit log, first cut: privileged actions, append-only (grants + trigger). Events about
 * one shop live in that shop's rows (`audit_events`, RLS); platform-level events (admin
 * logins, reviews) in `platform_audit_events`. The ledger issue adds the hash chains.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('audit_events', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id')
      table.bigIncrements('id', { primaryKey: false })
      table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.string('actor_type', 20).notNullable()
      table.bigInteger('actor_id').nullable()
      table.string('action', 80).notNullable()
      table.string('target_type', 40).nullable()
      table.string('target_id', 80).nullable()
      table.string('ip', 45).nullable()
      table.jsonb('metadata').notNullable().defaultTo('{}')
      table.primary(['tenant_id', 'id'])
      table.index(['tenant_id', 'occurred_at'])
    })
    protectTenantTable(this, 'audit_events')
    makeAppendOnly(this, 'audit_events')

    this.schema.createTable('platform_audit_events', (table) => {
      table.bigIncrements('id').primary()
      table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.string('actor_type', 20).notNullable()
      table.bigInteger('actor_id').nullable()
      table.string('action', 80).notNullable()
      table.bigInteger('tenant_id').nullable().references('tenants.id')
      table.string('target_type', 40).nullable()
      table.string('target_id', 80).nullable()
      table.string('ip', 45).nullable()
      table.jsonb('metadata').notNullable().defaultTo('{}')
      table.index(['occurred_at'])
    })
    // Account events of merchant users are appended from the app role, which can never
    // read the log back; reads (admin pages, verification) happen on the platform role.
    grantGlobal(this, 'platform_audit_events', { app: ['INSERT'], platform: ['SELECT', 'INSERT'] })
    makeAppendOnly(this, 'platform_audit_events')

    this.schema.createTable('job_failures', (table) => {
      table.bigIncrements('id').primary()
      table.string('queue', 60).notNullable()
      table.string('job_name', 120).notNullable()
      table.string('job_id', 120).nullable()
      table.bigInteger('tenant_id').nullable().references('tenants.id').onDelete('SET NULL')
      table.jsonb('payload').notNullable().defaultTo('{}')
      table.text('error').notNullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.timestamp('failed_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('retried_at', { useTz: true }).nullable()
      table.index(['failed_at'])
    })
    // Any worker records a failure; only platform admins (platform role) read or retry.
    grantGlobal(this, 'job_failures', {
      app: ['INSERT'],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })
  }

  async down() {
    for (const t of ['job_failures', 'platform_audit_events', 'audit_events'])
      this.schema.dropTable(t)
  }
}
