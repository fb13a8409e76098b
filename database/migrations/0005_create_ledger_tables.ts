import { BaseSchema } from '@adonisjs/lucid/schema'
import {
  makeAppendOnly,
  protectTenantTable,
  quoteIdent,
  runtimeRoles,
} from '#database/helpers/tenancy_sql'
import { ACCOUNT_TYPES, NON_NEGATIVE } from '#ledger/core/types'

/**
 * The money ledger (docs/architecture.md, Ledger). Four tenant tables, all under forced RLS
 * with primary key (tenant_id, id) and tenant-composite foreign keys:
 *
 * - `ledger_accounts`: one row per (shop, type, subject, currency). `balance` is the only
 *   mutable column (the sum of the account's entries), moved only by the write function of
 *   migration 0006; `non_negative` is generated from the type; a CHECK makes non-negative
 *   accounts unable to go below zero under any concurrency.
 * - `ledger_heads`: the head of each shop's hash chain (id 1 = the money ledger): last seq
 *   and last hash. Locking this row is the per-shop chain lock.
 * - `ledger_transactions`, `ledger_entries`: append-only (grants + trigger).
 */
export default class extends BaseSchema {
  async up() {
    const types = ACCOUNT_TYPES.map((t) => `'${t}'`).join(', ')
    const nonNegative = [...NON_NEGATIVE].map((t) => `'${t}'`).join(', ')

    this.schema.createTable('ledger_accounts', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id')
      table.bigIncrements('id', { primaryKey: false })
      table.string('type', 40).notNullable()
      // No default on purpose: the ledger always writes it ('' for types without a subject).
      table.string('subject', 64).notNullable()
      table.specificType('currency', 'char(3)').notNullable()
      table.bigInteger('balance').notNullable().defaultTo(0)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'type', 'subject', 'currency'], {
        indexName: 'ledger_accounts_identity_unique',
      })
      // Target of the entries' (tenant_id, account_id, currency) foreign key: an entry's
      // currency is its account's currency, enforced by the database.
      table.unique(['tenant_id', 'id', 'currency'], { indexName: 'ledger_accounts_currency_key' })
    })
    this.schema.raw(
      `ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_type_check CHECK (type IN (${types}))`
    )
    // Derived from the type by the database (NON_NEGATIVE in app/ledger/core/types.ts), so no
    // writer can open, say, a buyer wallet that may go negative.
    this.schema.raw(
      `ALTER TABLE ledger_accounts ADD COLUMN non_negative boolean
         GENERATED ALWAYS AS (type IN (${nonNegative})) STORED NOT NULL`
    )
    this.schema.raw(
      `ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_non_negative_check
         CHECK (NOT non_negative OR balance >= 0)`
    )
    protectTenantTable(this, 'ledger_accounts')

    this.schema.createTable('ledger_heads', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id')
      // The chain number; the ledger writes 1 (no default, so every head is named explicitly).
      table.bigInteger('id').notNullable()
      table.bigInteger('last_seq').notNullable().defaultTo(0)
      table.specificType('last_hash', 'char(64)').notNullable()
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
    })
    this.schema.raw(
      `ALTER TABLE ledger_heads ADD CONSTRAINT ledger_heads_last_seq_check CHECK (last_seq >= 0)`
    )
    protectTenantTable(this, 'ledger_heads')

    this.schema.createTable('ledger_transactions', (table) => {
      // The tenant exists through (tenant_id, head_id) → ledger_heads → tenants; no direct
      // foreign key to tenants: its check would take a KEY SHARE lock on the shop's row
      // (a MultiXact under concurrency) in every posting.
      table.bigInteger('tenant_id').notNullable()
      table.bigIncrements('id', { primaryKey: false })
      // The chain this transaction extends (ledger_heads.id).
      table.bigInteger('head_id').notNullable()
      table.bigInteger('seq').notNullable()
      table.string('idempotency_key', 200).notNullable()
      table.specificType('fingerprint', 'char(64)').notNullable()
      table.string('kind', 80).notNullable()
      table.bigInteger('reverses_id').nullable()
      table.jsonb('memo').notNullable().defaultTo('{}')
      table.specificType('prev_hash', 'char(64)').notNullable()
      table.specificType('hash', 'char(64)').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'seq'], { indexName: 'ledger_transactions_seq_unique' })
      table.unique(['tenant_id', 'idempotency_key'], {
        indexName: 'ledger_transactions_key_unique',
      })
      table
        .foreign(['tenant_id', 'head_id'])
        .references(['tenant_id', 'id'])
        .inTable('ledger_heads')
      table
        .foreign(['tenant_id', 'reverses_id'])
        .references(['tenant_id', 'id'])
        .inTable('ledger_transactions')
    })
    // A transaction is reversed at most once.
    this.schema.raw(
      `CREATE UNIQUE INDEX ledger_transactions_reverses_unique ON ledger_transactions (tenant_id, reverses_id)
       WHERE reverses_id IS NOT NULL`
    )
    protectTenantTable(this, 'ledger_transactions')
    makeAppendOnly(this, 'ledger_transactions')

    this.schema.createTable('ledger_entries', (table) => {
      // Tenant through (tenant_id, transaction_id) → ledger_transactions (see above).
      table.bigInteger('tenant_id').notNullable()
      table.bigIncrements('id', { primaryKey: false })
      table.bigInteger('transaction_id').notNullable()
      // Position of the posting in its transaction (1-based), as hashed.
      table.smallint('line').notNullable()
      table.bigInteger('account_id').notNullable()
      table.bigInteger('amount').notNullable()
      table.specificType('currency', 'char(3)').notNullable()
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'transaction_id', 'line'], {
        indexName: 'ledger_entries_line_unique',
      })
      table.index(['tenant_id', 'account_id', 'id'], 'ledger_entries_account_index')
      table
        .foreign(['tenant_id', 'transaction_id'])
        .references(['tenant_id', 'id'])
        .inTable('ledger_transactions')
      table
        .foreign(['tenant_id', 'account_id', 'currency'])
        .references(['tenant_id', 'id', 'currency'])
        .inTable('ledger_accounts')
    })
    this.schema.raw(
      `ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_amount_check CHECK (amount <> 0)`
    )
    protectTenantTable(this, 'ledger_entries')
    makeAppendOnly(this, 'ledger_entries')

    // Accounts and heads: balances and the chain head move only through the SECURITY DEFINER
    // write function (migration 0006), which always writes the matching entries and link;
    // the runtime roles may read and insert them, never update or delete.
    this.defer(async (db) => {
      const roles = runtimeRoles().join(', ')
      for (const table of ['ledger_accounts', 'ledger_heads']) {
        await db.rawQuery(`REVOKE UPDATE, DELETE, TRUNCATE ON ${quoteIdent(table)} FROM ${roles}`)
      }
    })
  }

  async down() {
    for (const t of ['ledger_entries', 'ledger_transactions', 'ledger_heads', 'ledger_accounts']) {
      this.schema.dropTable(t)
    }
  }
}
