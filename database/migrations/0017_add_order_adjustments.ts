import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Price adjustments proposed by the shop's plugins (`pricing.adjust`) and applied by the
 * core: signed minor units on the whole order (negative = a plugin discount, positive = a
 * surcharge). `amount_minor = line total − discount_minor + adjustment_minor`, at least 1.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('orders', (table) => {
      table.bigInteger('adjustment_minor').notNullable().defaultTo(0)
    })
  }

  async down() {
    this.schema.alterTable('orders', (table) => {
      table.dropColumn('adjustment_minor')
    })
  }
}
