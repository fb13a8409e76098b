import { BaseSchema } from '@adonisjs/lucid/schema'
import { protectTenantTable } from '#database/helpers/tenancy_sql'

/**
 * Delivery operations (docs/architecture.md, "Delivery engine"): stock batches, void /
 * burned items, product description / images / low-stock threshold, coupons, merchant
 * alerts. Tenant tables: forced RLS, (tenant_id, id) keys, tenant-composite foreign keys.
 * Cross-column CHECKs are written so that the nullable columns left empty and the defaults
 * form a valid row (the security suite's generic fixtures rely on it).
 */
export default class extends BaseSchema {
  async up() {
    // One import (paste or file) of one product's stock: who, where from, at what cost.
    this.schema.createTable('stock_batches', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('product_id').notNullable()
      table
        .string('source', 5)
        .notNullable()
        .defaultTo('paste')
        .checkIn(['paste', 'file'], 'stock_batches_source_check')
      table.string('file_name', 255).nullable()
      table.string('supplier_note', 500).nullable()
      // Cost of one item in the product's currency (minor units), for margin reports.
      table.bigInteger('unit_cost_minor').nullable()
      table.string('currency', 3).notNullable()
      table.integer('lines').notNullable().defaultTo(0)
      table.integer('added').notNullable().defaultTo(0)
      table.integer('duplicates').notNullable().defaultTo(0)
      table.integer('invalid').notNullable().defaultTo(0)
      table.bigInteger('created_by').nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.foreign(['tenant_id', 'product_id']).references(['tenant_id', 'id']).inTable('products')
      table.check('unit_cost_minor >= 0', [], 'stock_batches_unit_cost_check')
    })
    this.schema.raw(
      `CREATE INDEX stock_batches_product ON stock_batches (tenant_id, product_id, id)`
    )
    protectTenantTable(this, 'stock_batches')

    this.schema.alterTable('card_items', (table) => {
      table.bigInteger('batch_id').nullable()
      table.timestamp('voided_at', { useTz: true }).nullable()
      table.timestamp('burned_at', { useTz: true }).nullable()
      table
        .foreign(['tenant_id', 'batch_id'])
        .references(['tenant_id', 'id'])
        .inTable('stock_batches')
    })
    // A burned item keeps the order and line it was sold to.
    this.schema.raw(
      `ALTER TABLE card_items
         DROP CONSTRAINT card_items_order_check,
         DROP CONSTRAINT card_items_line_check,
         ADD CONSTRAINT card_items_order_check
           CHECK ((status IN ('reserved', 'sold', 'burned')) = (reserved_order_id IS NOT NULL)),
         ADD CONSTRAINT card_items_line_check
           CHECK ((status IN ('sold', 'burned')) = (sold_line_id IS NOT NULL))`
    )
    this.schema.raw(
      `CREATE INDEX card_items_batch ON card_items (tenant_id, batch_id) WHERE batch_id IS NOT NULL`
    )

    this.schema.alterTable('products', (table) => {
      // Sanitised HTML (allow-list) written by the catalog code; rendered as is.
      table.text('description_html').nullable()
      // Drive keys of uploaded images, first is the cover: ["products/12/ab…cd.webp", …]
      table.jsonb('images').notNullable().defaultTo('[]')
      table.integer('low_stock_threshold').nullable()
      // Set when the low-stock alert fired; cleared when stock rises above the threshold.
      table.timestamp('low_stock_alerted_at', { useTz: true }).nullable()
      table.check('low_stock_threshold >= 0', [], 'products_low_stock_check')
      table.check('char_length(description_html) <= 50000', [], 'products_description_length_check')
    })

    this.schema.createTable('coupons', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      // Stored upper-case; buyers type it in any case.
      table.string('code', 40).notNullable()
      table.string('kind', 7).notNullable().checkIn(['fixed', 'percent'], 'coupons_kind_check')
      // fixed: minor units off the order; percent: whole percent off (1-100).
      table.bigInteger('value').notNullable()
      table.string('currency', 3).notNullable()
      table
        .string('scope', 8)
        .notNullable()
        .defaultTo('all')
        .checkIn(['all', 'product', 'category'], 'coupons_scope_check')
      // The scope's target (product or category; the coupon code checks which is set).
      table.bigInteger('product_id').nullable()
      table.bigInteger('category_id').nullable()
      table.bigInteger('min_amount_minor').notNullable().defaultTo(0)
      table.integer('total_limit').nullable()
      table.integer('per_contact_limit').nullable()
      table.timestamp('starts_at', { useTz: true }).nullable()
      table.timestamp('ends_at', { useTz: true }).nullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.foreign(['tenant_id', 'product_id']).references(['tenant_id', 'id']).inTable('products')
      table
        .foreign(['tenant_id', 'category_id'])
        .references(['tenant_id', 'id'])
        .inTable('categories')
      table.check('value > 0', [], 'coupons_value_check')
      table.check(`kind <> 'percent' OR value <= 100`, [], 'coupons_percent_check')
      table.check('min_amount_minor >= 0', [], 'coupons_min_amount_check')
      table.check('total_limit >= 1', [], 'coupons_total_limit_check')
      table.check('per_contact_limit >= 1', [], 'coupons_per_contact_check')
      table.check('ends_at > starts_at', [], 'coupons_window_check')
    })
    this.schema.raw(`CREATE UNIQUE INDEX coupons_code ON coupons (tenant_id, code)`)
    protectTenantTable(this, 'coupons')

    this.schema.alterTable('orders', (table) => {
      table.bigInteger('coupon_id').nullable()
      // amount_minor is what the buyer pays (after the discount).
      table.bigInteger('discount_minor').notNullable().defaultTo(0)
      table.foreign(['tenant_id', 'coupon_id']).references(['tenant_id', 'id']).inTable('coupons')
      table.check('discount_minor >= 0', [], 'orders_discount_check')
    })
    this.schema.raw(
      `CREATE INDEX orders_coupon ON orders (tenant_id, coupon_id) WHERE coupon_id IS NOT NULL`
    )
    this.schema.raw(`CREATE INDEX orders_recent ON orders (tenant_id, created_at DESC, id DESC)`)

    // What the merchant must look at: shown on the dashboard, mailed to the owners.
    this.schema.createTable('merchant_alerts', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table
        .string('kind', 20)
        .notNullable()
        .checkIn(
          ['low_stock', 'payment_mismatch', 'paid_unfulfilled', 'extra_payment', 'manual_order'],
          'merchant_alerts_kind_check'
        )
      table.bigInteger('order_id').nullable()
      table.bigInteger('product_id').nullable()
      table.jsonb('data').notNullable().defaultTo('{}')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('read_at', { useTz: true }).nullable()
      table.primary(['tenant_id', 'id'])
      table.foreign(['tenant_id', 'order_id']).references(['tenant_id', 'id']).inTable('orders')
      table.foreign(['tenant_id', 'product_id']).references(['tenant_id', 'id']).inTable('products')
    })
    this.schema.raw(
      `CREATE INDEX merchant_alerts_unread ON merchant_alerts (tenant_id, id DESC) WHERE read_at IS NULL`
    )
    protectTenantTable(this, 'merchant_alerts')
  }

  async down() {
    this.schema.dropTable('merchant_alerts')
    this.schema.raw('DROP INDEX IF EXISTS orders_recent')
    this.schema.alterTable('orders', (table) => {
      table.dropForeign(['tenant_id', 'coupon_id'])
      table.dropChecks(['orders_discount_check'])
      table.dropColumn('coupon_id')
      table.dropColumn('discount_minor')
    })
    this.schema.dropTable('coupons')
    this.schema.alterTable('products', (table) => {
      table.dropChecks(['products_low_stock_check', 'products_description_length_check'])
      table.dropColumn('description_html')
      table.dropColumn('images')
      table.dropColumn('low_stock_threshold')
      table.dropColumn('low_stock_alerted_at')
    })
    this.schema.raw(
      `ALTER TABLE card_items
         DROP CONSTRAINT card_items_order_check,
         DROP CONSTRAINT card_items_line_check,
         ADD CONSTRAINT card_items_order_check
           CHECK ((status IN ('reserved', 'sold')) = (reserved_order_id IS NOT NULL)),
         ADD CONSTRAINT card_items_line_check
           CHECK ((status = 'sold') = (sold_line_id IS NOT NULL))`
    )
    this.schema.alterTable('card_items', (table) => {
      table.dropForeign(['tenant_id', 'batch_id'])
      table.dropColumn('batch_id')
      table.dropColumn('voided_at')
      table.dropColumn('burned_at')
    })
    this.schema.dropTable('stock_batches')
  }
}
