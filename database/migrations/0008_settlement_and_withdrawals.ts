import { BaseSchema } from '@adonisjs/lucid/schema'
import { protectTenantTable } from '#database/helpers/tenancy_sql'

/**
 * Settlement and withdrawals (docs/architecture.md, "Settlement and withdrawals"). Money
 * itself lives in the ledger; these tenant tables only say which ledger transactions
 * belong to which lot, hold or withdrawal, and what is still to do. Checks are per column
 * (cross-column rules such as `net = amount - fee` are enforced by the actions).
 */
export default class extends BaseSchema {
  async up() {
    // One row per change (newest wins): the history of a shop's hold setting.
    this.schema.createTable('shop_money_settings', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.integer('hold_days').notNullable()
      table.bigInteger('changed_by_admin').nullable()
      table.string('note', 500).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.check('hold_days >= 0 AND hold_days <= 365', [], 'shop_money_settings_hold_days_check')
    })
    protectTenantTable(this, 'shop_money_settings')

    this.schema.createTable('settlement_lots', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('source_kind', 40).notNullable()
      table.string('source_ref', 120).notNullable()
      table.bigInteger('amount').notNullable()
      table.string('currency', 3).notNullable()
      table.timestamp('occurred_at', { useTz: true }).notNullable()
      table.timestamp('available_at', { useTz: true }).notNullable()
      table.bigInteger('revenue_tx_id').nullable()
      table.timestamp('settled_at', { useTz: true }).nullable()
      table.bigInteger('settlement_tx_id').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'source_kind', 'source_ref'])
      table.check('amount > 0', [], 'settlement_lots_amount_check')
    })
    this.schema.raw(
      `CREATE INDEX settlement_lots_due ON settlement_lots (available_at, tenant_id) WHERE settled_at IS NULL`
    )
    protectTenantTable(this, 'settlement_lots')

    this.schema.createTable('balance_holds', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('amount').notNullable()
      table.string('currency', 3).notNullable()
      table.string('reason', 500).notNullable()
      table.string('ref', 120).nullable()
      table.string('frozen_by_type', 20).notNullable()
      table.bigInteger('frozen_by_id').nullable()
      table.bigInteger('frozen_tx_id').nullable()
      table.string('released_by_type', 20).nullable()
      table.bigInteger('released_by_id').nullable()
      table.bigInteger('released_tx_id').nullable()
      table.string('release_note', 500).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('released_at', { useTz: true }).nullable()
      table.primary(['tenant_id', 'id'])
      table.check('amount > 0', [], 'balance_holds_amount_check')
    })
    protectTenantTable(this, 'balance_holds')

    this.schema.createTable('withdrawals', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('request_key', 64).notNullable()
      table.bigInteger('amount').notNullable()
      table.bigInteger('fee').notNullable()
      table.bigInteger('net').notNullable()
      table.string('currency', 3).notNullable()
      table
        .string('status', 20)
        .notNullable()
        .checkIn(['requested', 'approved', 'paid', 'rejected'], 'withdrawals_status_check')
      table.string('payout_reference', 120).nullable()
      table.string('reject_reason', 1000).nullable()
      table.bigInteger('requested_by').notNullable().references('users.id')
      table.bigInteger('decided_by').nullable()
      table.bigInteger('request_tx_id').nullable()
      table.bigInteger('decision_tx_id').nullable()
      table.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('decided_at', { useTz: true }).nullable()
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'request_key'])
      table.check('amount > 0', [], 'withdrawals_amount_check')
      table.check('fee >= 0', [], 'withdrawals_fee_check')
      table.check('net > 0', [], 'withdrawals_net_check')
    })
    this.schema.raw(`CREATE INDEX withdrawals_queue ON withdrawals (status, requested_at)`)
    protectTenantTable(this, 'withdrawals')
  }

  async down() {
    for (const t of ['withdrawals', 'balance_holds', 'settlement_lots', 'shop_money_settings']) {
      this.schema.dropTable(t)
    }
  }
}
