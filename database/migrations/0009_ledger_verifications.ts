import { BaseSchema } from '@adonisjs/lucid/schema'
import { grantGlobal } from '#database/helpers/tenancy_sql'

/**
 * One row per run of the ledger verification (`ledger.verify_daily` job or an admin's
 * "run now"): whether every shop's ledger and audit chains and the platform audit chain
 * recomputed cleanly, what was checked, the first problem found, and where the digest of
 * chain heads was written (with its SHA-256, so a later copy can be compared).
 *
 * Platform-global and platform-only: the app role serving shops never reads or writes it.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('ledger_verifications', (table) => {
      table.bigIncrements('id').primary()
      table.timestamp('started_at', { useTz: true }).notNullable()
      table.timestamp('finished_at', { useTz: true }).nullable()
      table.boolean('ok').notNullable()
      table.jsonb('checked').notNullable().defaultTo('{}')
      table.jsonb('first_problem').nullable()
      table.string('digest_path', 255).nullable()
      table.specificType('digest_sha256', 'char(64)').nullable()
      table.index(['started_at'])
    })
    grantGlobal(this, 'ledger_verifications', {
      app: [],
      platform: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
    })
  }

  async down() {
    this.schema.dropTable('ledger_verifications')
  }
}
