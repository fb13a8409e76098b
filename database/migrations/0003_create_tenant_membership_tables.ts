import { BaseSchema } from '@adonisjs/lucid/schema'
import { protectTenantTable } from '#database/helpers/tenancy_sql'

/**
 * Tenant tables: `tenant_id NOT NULL`, primary key `(tenant_id, id)`, forced RLS, and
 * composite foreign keys `(tenant_id, x_id)` to other tenant tables.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('tenant_members', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE')
      table
        .string('role', 20)
        .notNullable()
        .checkIn(['owner', 'staff'], 'tenant_members_role_check')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'user_id'])
    })
    protectTenantTable(this, 'tenant_members')

    this.schema.createTable('staff_invitations', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('email', 254).notNullable()
      table.string('role', 20).notNullable().checkIn(['staff'], 'staff_invitations_role_check')
      table.string('token_hash', 64).notNullable()
      table.bigInteger('invited_by').notNullable().references('users.id')
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('accepted_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'token_hash'])
    })
    protectTenantTable(this, 'staff_invitations')

    this.schema.createTable('buyers', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('email', 254).notNullable()
      table.string('full_name', 120).nullable()
      table.string('password').notNullable()
      table.timestamp('email_verified_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
    })
    this.schema.raw(
      'CREATE UNIQUE INDEX buyers_tenant_email_unique ON buyers (tenant_id, lower(email))'
    )
    protectTenantTable(this, 'buyers')

    this.schema.createTable('buyer_password_resets', (table) => {
      table.bigInteger('tenant_id').notNullable()
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('buyer_id').notNullable()
      table.string('token_hash', 64).notNullable()
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('used_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'token_hash'])
      table
        .foreign(['tenant_id', 'buyer_id'])
        .references(['tenant_id', 'id'])
        .inTable('buyers')
        .onDelete('CASCADE')
    })
    protectTenantTable(this, 'buyer_password_resets')
  }

  async down() {
    for (const t of ['buyer_password_resets', 'buyers', 'staff_invitations', 'tenant_members']) {
      this.schema.dropTable(t)
    }
  }
}
