import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A merchant alert when one of the shop's plugins failed (threw, timed out or answered
 * something invalid) and the host skipped it (docs/architecture.md, Plugin host).
 */
const KINDS = ['low_stock', 'payment_mismatch', 'paid_unfulfilled', 'extra_payment', 'manual_order']

export default class extends BaseSchema {
  async up() {
    this.schema.raw(
      `ALTER TABLE merchant_alerts DROP CONSTRAINT merchant_alerts_kind_check,
         ADD CONSTRAINT merchant_alerts_kind_check CHECK (kind IN (${[...KINDS, 'plugin_failure']
           .map((k) => `'${k}'`)
           .join(', ')}))`
    )
  }

  async down() {
    this.schema.raw(
      `ALTER TABLE merchant_alerts DROP CONSTRAINT merchant_alerts_kind_check,
         ADD CONSTRAINT merchant_alerts_kind_check CHECK (kind IN (${KINDS.map((k) => `'${k}'`).join(', ')}))`
    )
  }
}
