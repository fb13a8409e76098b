import { BaseSchema } from '@adonisjs/lucid/schema'
import { protectTenantTable } from '#database/helpers/tenancy_sql'

/**
 * Delivery engine: catalog, stock, orders, payments, deliveries (docs/architecture.md,
 * "Delivery engine"). Every table is a tenant table (forced RLS, primary key
 * (tenant_id, id), tenant-composite foreign keys). Money columns are bigint minor units.
 *
 * `card_items.status` is a native enum so the cross-column checks (a reserved or sold item
 * names its order; a sold item names its line) can be written as CHECKs: the generic
 * security fixtures take an enum's first label (`available`), which those checks accept
 * with the nullable references left empty.
 */
export default class extends BaseSchema {
  async up() {
    // One row per change (newest wins): per-shop checkout settings.
    this.schema.createTable('shop_checkout_settings', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.integer('reservation_ttl_minutes').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.check(
        'reservation_ttl_minutes >= 1 AND reservation_ttl_minutes <= 1440',
        [],
        'shop_checkout_settings_ttl_check'
      )
    })
    protectTenantTable(this, 'shop_checkout_settings')

    this.schema.createTable('categories', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.string('name', 120).notNullable()
      table.integer('sort').notNullable().defaultTo(0)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
    })
    protectTenantTable(this, 'categories')

    this.schema.createTable('products', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('category_id').notNullable()
      table.string('name', 200).notNullable()
      table
        .string('type', 10)
        .notNullable()
        .checkIn(['card', 'text', 'manual', 'source'], 'products_type_check')
      table.bigInteger('price_minor').notNullable()
      table.string('currency', 3).notNullable()
      // [{ "minQuantity": 10, "unitPriceMinor": "900" }, …] (validated by the catalog code)
      table.jsonb('wholesale_tiers').notNullable().defaultTo('[]')
      table.integer('min_quantity').notNullable().defaultTo(1)
      table.integer('max_quantity').nullable()
      table.integer('per_buyer_limit').nullable()
      table
        .string('visibility', 10)
        .notNullable()
        .defaultTo('public')
        .checkIn(['public', 'hidden'], 'products_visibility_check')
      table
        .string('status', 10)
        .notNullable()
        .defaultTo('draft')
        .checkIn(['draft', 'active', 'paused'], 'products_status_check')
      table
        .string('stock_display', 10)
        .notNullable()
        .defaultTo('in_stock')
        .checkIn(['exact', 'in_stock', 'hidden'], 'products_stock_display_check')
      // type text: the content every buyer receives; type source: the plugin id.
      table.text('text_content').nullable()
      table.string('source_id', 80).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table
        .foreign(['tenant_id', 'category_id'])
        .references(['tenant_id', 'id'])
        .inTable('categories')
      table.check('price_minor > 0', [], 'products_price_check')
      table.check('min_quantity >= 1 AND min_quantity <= 10000', [], 'products_min_qty_check')
      table.check('max_quantity >= 1 AND max_quantity <= 10000', [], 'products_max_qty_check')
      table.check('per_buyer_limit >= 1', [], 'products_per_buyer_check')
    })
    protectTenantTable(this, 'products')

    this.schema.createTable('orders', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      // One product per order today (the storefront sells one product per checkout); the
      // lines carry quantity and price, ready for carts.
      table.bigInteger('product_id').notNullable()
      table.string('order_no', 32).notNullable()
      // sha256 hex of the public token: the token itself is shown to the buyer once.
      table.string('public_token_hash', 64).notNullable()
      table
        .string('status', 20)
        .notNullable()
        .defaultTo('pending')
        .checkIn(
          [
            'pending',
            'paid',
            'delivered',
            'payment_mismatch',
            'paid_unfulfilled',
            'expired',
            'cancelled',
          ],
          'orders_status_check'
        )
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      table.string('contact_email', 254).notNullable()
      table.string('query_password_hash').nullable()
      table.bigInteger('buyer_id').nullable()
      table.timestamp('reserved_until', { useTz: true }).nullable()
      table.timestamp('paid_at', { useTz: true }).nullable()
      table.timestamp('delivered_at', { useTz: true }).nullable()
      table.timestamp('expired_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'order_no'])
      table.unique(['tenant_id', 'public_token_hash'])
      table.foreign(['tenant_id', 'product_id']).references(['tenant_id', 'id']).inTable('products')
      table.foreign(['tenant_id', 'buyer_id']).references(['tenant_id', 'id']).inTable('buyers')
      table.check('amount_minor > 0', [], 'orders_amount_check')
    })
    this.schema.raw(
      `CREATE INDEX orders_reservation_due ON orders (reserved_until, tenant_id) WHERE status = 'pending'`
    )
    this.schema.raw(`CREATE INDEX orders_buyer ON orders (tenant_id, buyer_id, product_id)`)
    this.schema.raw(
      `CREATE INDEX orders_contact ON orders (tenant_id, lower(contact_email), product_id)`
    )
    protectTenantTable(this, 'orders')

    this.schema.createTable('order_lines', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('order_id').notNullable()
      table.bigInteger('product_id').notNullable()
      table.integer('quantity').notNullable()
      table.bigInteger('unit_price_minor').notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      table.primary(['tenant_id', 'id'])
      table.foreign(['tenant_id', 'order_id']).references(['tenant_id', 'id']).inTable('orders')
      table.foreign(['tenant_id', 'product_id']).references(['tenant_id', 'id']).inTable('products')
      table.check('quantity >= 1 AND quantity <= 10000', [], 'order_lines_quantity_check')
      table.check('unit_price_minor > 0', [], 'order_lines_unit_price_check')
      table.check('amount_minor > 0', [], 'order_lines_amount_check')
    })
    this.schema.raw(`CREATE INDEX order_lines_order ON order_lines (tenant_id, order_id)`)
    protectTenantTable(this, 'order_lines')

    this.schema.raw(
      `CREATE TYPE card_item_status AS ENUM ('available', 'reserved', 'sold', 'void')`
    )
    this.schema.createTable('card_items', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('product_id').notNullable()
      table
        .enu('status', null, { useNative: true, existingType: true, enumName: 'card_item_status' })
        .notNullable()
        .defaultTo('available')
      table.binary('secret_ciphertext').notNullable()
      table.text('secret_hash').notNullable()
      table.integer('key_version').notNullable()
      // The order holding (reserved) or owning (sold) the item.
      table.bigInteger('reserved_order_id').nullable()
      // The order line the item was sold to: one column, so an item reaches at most one line.
      table.bigInteger('sold_line_id').nullable()
      table.timestamp('reserved_at', { useTz: true }).nullable()
      table.timestamp('sold_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'product_id', 'secret_hash'])
      table.foreign(['tenant_id', 'product_id']).references(['tenant_id', 'id']).inTable('products')
      table
        .foreign(['tenant_id', 'reserved_order_id'])
        .references(['tenant_id', 'id'])
        .inTable('orders')
      table
        .foreign(['tenant_id', 'sold_line_id'])
        .references(['tenant_id', 'id'])
        .inTable('order_lines')
    })
    this.schema.raw(
      `ALTER TABLE card_items
         ADD CONSTRAINT card_items_order_check
           CHECK ((status IN ('reserved', 'sold')) = (reserved_order_id IS NOT NULL)),
         ADD CONSTRAINT card_items_line_check
           CHECK ((status = 'sold') = (sold_line_id IS NOT NULL))`
    )
    this.schema.raw(
      `CREATE INDEX card_items_available ON card_items (tenant_id, product_id, id) WHERE status = 'available'`
    )
    this.schema.raw(
      `CREATE INDEX card_items_order ON card_items (tenant_id, reserved_order_id) WHERE reserved_order_id IS NOT NULL`
    )
    protectTenantTable(this, 'card_items')

    this.schema.createTable('payments', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('order_id').notNullable()
      table.string('gateway', 32).notNullable()
      table.string('provider_txn_id', 128).notNullable()
      table.bigInteger('amount_minor').notNullable()
      table.string('currency', 3).notNullable()
      // applied: paid the order; mismatch: wrong amount/currency; extra: the order was
      // already settled by another payment (to refund).
      table
        .string('outcome', 12)
        .notNullable()
        .checkIn(['applied', 'mismatch', 'extra'], 'payments_outcome_check')
      table.timestamp('paid_at', { useTz: true }).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'gateway', 'provider_txn_id'])
      table.foreign(['tenant_id', 'order_id']).references(['tenant_id', 'id']).inTable('orders')
      table.check('amount_minor > 0', [], 'payments_amount_check')
    })
    protectTenantTable(this, 'payments')

    this.schema.createTable('deliveries', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('order_id').notNullable()
      table.bigInteger('line_id').notNullable()
      table
        .string('kind', 10)
        .notNullable()
        .checkIn(['card', 'text', 'manual', 'source'], 'deliveries_kind_check')
      table.integer('item_count').notNullable().defaultTo(0)
      // null while a manual or source delivery is outstanding
      table.timestamp('delivered_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'line_id'])
      table.foreign(['tenant_id', 'order_id']).references(['tenant_id', 'id']).inTable('orders')
      table.foreign(['tenant_id', 'line_id']).references(['tenant_id', 'id']).inTable('order_lines')
    })
    protectTenantTable(this, 'deliveries')

    this.schema.createTable('order_events', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE')
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('order_id').notNullable()
      table.string('kind', 40).notNullable()
      table.jsonb('data').notNullable().defaultTo('{}')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.foreign(['tenant_id', 'order_id']).references(['tenant_id', 'id']).inTable('orders')
    })
    this.schema.raw(`CREATE INDEX order_events_order ON order_events (tenant_id, order_id, id)`)
    protectTenantTable(this, 'order_events')
  }

  async down() {
    for (const t of [
      'order_events',
      'deliveries',
      'payments',
      'card_items',
      'order_lines',
      'orders',
      'products',
      'categories',
      'shop_checkout_settings',
    ]) {
      this.schema.dropTable(t)
    }
    this.schema.raw('DROP TYPE IF EXISTS card_item_status')
  }
}
