import { BaseSchema } from '@adonisjs/lucid/schema'
import { grantGlobal, protectTenantTable } from '#database/helpers/tenancy_sql'
import { DEFAULT_PLANS } from '#database/helpers/reference_data'

/**
 * Payments engine (docs/architecture.md, "Payments"): plans and their platform fee,
 * payment attempts (one per "pay with gateway X" click), every gateway callback stored raw
 * before it is trusted, refunds, buyer wallet top-ups, gateway accounts (Stripe Connect
 * account → shop) and the platform's payment alert list (reconciliation mismatches).
 */
export default class extends BaseSchema {
  async up() {
    // Plans: the platform fee each shop pays on every paid order (percentage + fixed, the
    // fixed part in the order currency's minor units).
    this.schema.createTable('plans', (table) => {
      table.string('code', 32).primary()
      table.string('name', 80).notNullable()
      table.integer('fee_bps').notNullable().defaultTo(0)
      table.bigInteger('fee_fixed_minor').notNullable().defaultTo(0)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.check(`code ~ '^[a-z][a-z0-9_-]{1,31}$'`, [], 'plans_code_check')
      table.check('fee_bps BETWEEN 0 AND 5000', [], 'plans_fee_bps_check')
      table.check('fee_fixed_minor BETWEEN 0 AND 100000000', [], 'plans_fee_fixed_check')
    })
    grantGlobal(this, 'plans', {
      app: ['SELECT'],
      platform: ['SELECT', 'INSERT', 'UPDATE'],
    })
    this.defer(async (db) => {
      await db.table('plans').multiInsert(DEFAULT_PLANS.map((plan) => ({ ...plan })))
    })
    this.schema.alterTable('tenants', (table) => {
      table.string('plan_code', 32).notNullable().defaultTo('standard').references('plans.code')
    })

    // Orders: how much was refunded; a fully refunded order is `refunded`.
    this.schema.alterTable('orders', (table) => {
      table.bigInteger('refunded_minor').notNullable().defaultTo(0)
    })
    this.schema.raw(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`)
    this.schema.raw(
      `ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
        ('pending', 'paid', 'delivered', 'payment_mismatch', 'paid_unfulfilled', 'expired',
         'cancelled', 'refunded'))`
    )
    this.schema.raw(
      `ALTER TABLE orders ADD CONSTRAINT orders_refunded_check
        CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor)`
    )

    // Wallet top-ups: a buyer adds money to the shop's wallet through a gateway.
    this.schema.createTable('wallet_topups', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('topup_no', 32).notNullable()
      table.bigInteger('buyer_id').notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      table
        .string('status', 10)
        .notNullable()
        .defaultTo('pending')
        .checkIn(['pending', 'paid', 'expired'], 'wallet_topups_status_check')
      table.timestamp('paid_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'topup_no'])
      table.foreign(['tenant_id', 'buyer_id']).references(['tenant_id', 'id']).inTable('buyers')
      table.check('amount_minor > 0', [], 'wallet_topups_amount_check')
    })
    protectTenantTable(this, 'wallet_topups')

    // One row per "pay with gateway X": what the buyer was sent to and where it stands.
    this.schema.createTable('payment_attempts', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table
        .string('purpose', 12)
        .notNullable()
        .defaultTo('order')
        .checkIn(['order', 'wallet_topup'], 'payment_attempts_purpose_check')
      table.bigInteger('order_id').nullable()
      table.bigInteger('topup_id').nullable()
      // The plugin that provides the gateway, and the gateway id (`payments.gateway`).
      table.string('plugin_id', 40).notNullable()
      table.string('gateway', 32).notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      table
        .string('status', 10)
        .notNullable()
        .defaultTo('created')
        .checkIn(
          ['created', 'pending', 'succeeded', 'failed', 'expired', 'cancelled'],
          'payment_attempts_status_check'
        )
      // Where the money lands: `direct` (the merchant's own gateway account: Stripe
      // Connect, the shop's EPay merchant) or `platform` (collected by the platform).
      table
        .string('settlement', 10)
        .notNullable()
        .checkIn(['direct', 'platform'], 'payment_attempts_settlement_check')
      // What the buyer was sent to (redirect URL, QR payload, form): never a secret.
      table.jsonb('action').nullable()
      // The gateway's reference for this attempt (Checkout Session id, EPay trade_no).
      table.string('provider_ref', 255).nullable()
      table.timestamp('expires_at', { useTz: true }).nullable()
      table.timestamp('last_queried_at', { useTz: true }).nullable()
      table.integer('query_count').notNullable().defaultTo(0)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.foreign(['tenant_id', 'order_id']).references(['tenant_id', 'id']).inTable('orders')
      table
        .foreign(['tenant_id', 'topup_id'])
        .references(['tenant_id', 'id'])
        .inTable('wallet_topups')
      table.check(
        `(purpose = 'order' AND order_id IS NOT NULL AND topup_id IS NULL) OR
         (purpose = 'wallet_topup' AND topup_id IS NOT NULL AND order_id IS NULL)`,
        [],
        'payment_attempts_target_check'
      )
      table.check('amount_minor > 0', [], 'payment_attempts_amount_check')
    })
    this.schema.raw(
      `CREATE UNIQUE INDEX payment_attempts_provider_ref ON payment_attempts
        (tenant_id, gateway, provider_ref) WHERE provider_ref IS NOT NULL`
    )
    this.schema.raw(
      `CREATE INDEX payment_attempts_order ON payment_attempts (tenant_id, order_id)
        WHERE order_id IS NOT NULL`
    )
    this.schema.raw(
      `CREATE INDEX payment_attempts_open ON payment_attempts (created_at, tenant_id)
        WHERE status IN ('created', 'pending')`
    )
    protectTenantTable(this, 'payment_attempts')

    // Payments: where the money landed and the platform fee posted with it.
    this.schema.alterTable('payments', (table) => {
      table.string('settlement', 10).notNullable().defaultTo('platform')
      table.bigInteger('fee_minor').notNullable().defaultTo(0)
      table.bigInteger('attempt_id').nullable()
    })
    this.schema.raw(
      `ALTER TABLE payments ADD CONSTRAINT payments_settlement_check
        CHECK (settlement IN ('direct', 'platform'))`
    )

    // Every callback exactly as received, stored before it is verified; `outcome` is the
    // reason code the pipeline reached (accepted, duplicate, bad_signature, …).
    this.schema.createTable('payment_callbacks', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('plugin_id', 40).notNullable()
      table.string('gateway', 32).notNullable()
      table.string('method', 8).notNullable()
      // Headers minus cookies and authorization.
      table.jsonb('headers').notNullable().defaultTo('{}')
      table.jsonb('query').notNullable().defaultTo('{}')
      table.binary('raw_body').nullable()
      table.string('outcome', 24).nullable()
      table.string('detail', 300).nullable()
      table.bigInteger('order_id').nullable()
      table.bigInteger('attempt_id').nullable()
      table.string('provider_txn_id', 128).nullable()
      table.timestamp('received_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('processed_at', { useTz: true }).nullable()
      table.primary(['tenant_id', 'id'])
    })
    this.schema.raw(
      `CREATE INDEX payment_callbacks_received ON payment_callbacks (tenant_id, received_at DESC)`
    )
    protectTenantTable(this, 'payment_callbacks')

    // Refunds: full or partial, through the gateway or to the buyer's wallet.
    this.schema.createTable('payment_refunds', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('order_id').notNullable()
      table.bigInteger('payment_id').notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      table
        .string('method', 8)
        .notNullable()
        .checkIn(['gateway', 'wallet'], 'payment_refunds_method_check')
      table
        .string('status', 10)
        .notNullable()
        .defaultTo('pending')
        .checkIn(['pending', 'succeeded', 'failed'], 'payment_refunds_status_check')
      table.string('provider_refund_id', 255).nullable()
      table.string('reason', 500).notNullable()
      table.string('failure', 300).nullable()
      table.bigInteger('requested_by').nullable().references('users.id').onDelete('SET NULL')
      // One-time key of the merchant's form: a double submit refunds once.
      table.string('idempotency_key', 64).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'idempotency_key'])
      table.foreign(['tenant_id', 'order_id']).references(['tenant_id', 'id']).inTable('orders')
      table.foreign(['tenant_id', 'payment_id']).references(['tenant_id', 'id']).inTable('payments')
      table.check('amount_minor > 0', [], 'payment_refunds_amount_check')
    })
    protectTenantTable(this, 'payment_refunds')

    // A gateway's own account id → the shop it belongs to (Stripe Connect `acct_…`):
    // platform-level webhooks name the account, not the shop.
    this.schema.createTable('gateway_accounts', (table) => {
      table.string('gateway', 32).notNullable()
      table.string('external_account_id', 255).notNullable()
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['gateway', 'external_account_id'])
      table.unique(['gateway', 'tenant_id'])
    })
    grantGlobal(this, 'gateway_accounts', {
      app: ['SELECT', 'INSERT', 'DELETE'],
      platform: ['SELECT', 'DELETE'],
    })

    // What reconciliation found that a person must look at (platform admins' list).
    this.schema.createTable('payment_alerts', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('gateway', 32).notNullable()
      table
        .string('kind', 24)
        .notNullable()
        .checkIn(
          [
            'amount_mismatch',
            'currency_mismatch',
            'paid_not_confirmed',
            'query_failed',
            'unknown_payment',
          ],
          'payment_alerts_kind_check'
        )
      table.bigInteger('order_id').nullable()
      table.bigInteger('attempt_id').nullable()
      table.jsonb('data').notNullable().defaultTo('{}')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('resolved_at', { useTz: true }).nullable()
      table.bigInteger('resolved_by').nullable()
      table.string('resolution_note', 500).nullable()
      table.primary(['tenant_id', 'id'])
    })
    this.schema.raw(
      `CREATE INDEX payment_alerts_open ON payment_alerts (created_at DESC) WHERE resolved_at IS NULL`
    )
    protectTenantTable(this, 'payment_alerts')
  }

  async down() {
    this.schema.dropTable('payment_alerts')
    this.schema.dropTable('gateway_accounts')
    this.schema.dropTable('payment_refunds')
    this.schema.dropTable('payment_callbacks')
    this.schema.alterTable('payments', (table) => {
      table.dropColumn('attempt_id')
      table.dropColumn('fee_minor')
      table.dropColumn('settlement')
    })
    this.schema.dropTable('payment_attempts')
    this.schema.dropTable('wallet_topups')
    this.schema.raw(`ALTER TABLE orders DROP CONSTRAINT orders_refunded_check`)
    this.schema.raw(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`)
    this.schema.raw(
      `ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
        ('pending', 'paid', 'delivered', 'payment_mismatch', 'paid_unfulfilled', 'expired',
         'cancelled'))`
    )
    this.schema.alterTable('orders', (table) => {
      table.dropColumn('refunded_minor')
    })
    this.schema.alterTable('tenants', (table) => {
      table.dropColumn('plan_code')
    })
    this.schema.dropTable('plans')
  }
}
