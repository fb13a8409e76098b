import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A card item the merchant replaced because the buyer reported it bad: `burned` keeps its
 * order and line (the order's history shows which key was replaced) and never returns to
 * stock. `ALTER TYPE … ADD VALUE` cannot be used in the transaction that adds it, so this
 * migration runs alone and outside a transaction; 0013 uses the label.
 */
export default class extends BaseSchema {
  static disableTransactions = true

  async up() {
    this.schema.raw(`ALTER TYPE card_item_status ADD VALUE IF NOT EXISTS 'burned'`)
  }

  async down() {
    // PostgreSQL cannot drop an enum label; 0011's down drops the whole type.
  }
}
