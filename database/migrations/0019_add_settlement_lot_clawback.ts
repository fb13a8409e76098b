import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Refunds (app/payments/refunds.ts) take a refunded order's money back from its pending
 * settlement lot first: `clawed_back_minor` is the part of the lot already taken, so the
 * release (settle_due_lots) moves only what is left from pending to available.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('settlement_lots', (table) => {
      table.bigInteger('clawed_back_minor').notNullable().defaultTo(0)
    })
    this.schema.raw(
      `ALTER TABLE settlement_lots ADD CONSTRAINT settlement_lots_clawed_back_check
        CHECK (clawed_back_minor >= 0 AND clawed_back_minor <= amount)`
    )
  }

  async down() {
    this.schema.raw(`ALTER TABLE settlement_lots DROP CONSTRAINT settlement_lots_clawed_back_check`)
    this.schema.alterTable('settlement_lots', (table) => {
      table.dropColumn('clawed_back_minor')
    })
  }
}
