import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The secret of a hidden ("link only") product: its storefront page and checkout need
 * `?k=<link_token>`, so a guessed id alone finds nothing. 32 hex characters (122 random bits)
 * from `gen_random_uuid()`, built into PostgreSQL ≥ 13 and PGlite, no extension. The default is
 * volatile, so `ADD COLUMN` fills every existing row with its own value. Rotated by the
 * merchant ("new link"): an old shared link stops working.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(
      `ALTER TABLE products
         ADD COLUMN link_token text NOT NULL
           DEFAULT replace(gen_random_uuid()::text, '-', '')
           CONSTRAINT products_link_token_check CHECK (link_token ~ '^[0-9a-f]{32}$')`
    )
    this.schema.raw(
      `ALTER TABLE products
         ADD CONSTRAINT products_tenant_link_token_key UNIQUE (tenant_id, link_token)`
    )
  }

  async down() {
    this.schema.raw(`ALTER TABLE products DROP COLUMN link_token`)
  }
}
