import { BaseSchema } from '@adonisjs/lucid/schema'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { grantGlobal, protectTenantTable } from '#database/helpers/tenancy_sql'
import { auditLink, type AuditLinkFields } from '#audit/chain'
import { GENESIS_HASH } from '#ledger/core/canonical'

/**
 * Hash chains on the audit logs (docs/architecture.md, Audit log): one chain per shop in
 * `audit_events` and one platform chain in `platform_audit_events`. Each row gets `seq`
 * (gap-free, from 1), `prev_hash` and `hash = sha256(prev_hash ‖ canonical(row))`, computed
 * in app/audit before the insert (the rows are append-only). The chain heads (`audit_heads`
 * per shop, RLS; `platform_audit_head`, one row) are locked FOR UPDATE by each append, which
 * serialises writers of one chain and gives the verifier the expected end of each chain. `audit_heads` is keyed by
 * (tenant_id, chain), chain `audit`, so another per-shop chain can keep its head there too.
 *
 * Rows that exist already are chained here, oldest first, with the append-only trigger off
 * for the duration (the owner runs migrations); `occurred_at` is cut to milliseconds then,
 * because the hash covers the JavaScript ISO time.
 */
export default class extends BaseSchema {
  async up() {
    for (const table of ['audit_events', 'platform_audit_events']) {
      this.schema.alterTable(table, (t) => {
        t.bigInteger('seq').nullable()
        t.specificType('prev_hash', 'char(64)').nullable()
        t.specificType('hash', 'char(64)').nullable()
      })
    }

    this.schema.createTable('audit_heads', (table) => {
      table.bigInteger('tenant_id').notNullable().references('tenants.id')
      table.bigIncrements('id', { primaryKey: false })
      // Which of the shop's chains ('audit' for audit_events); one head per chain per shop.
      table.string('chain', 40).notNullable()
      table.bigInteger('last_seq').notNullable().defaultTo(0)
      table.specificType('last_hash', 'char(64)').notNullable()
      table.primary(['tenant_id', 'id'])
      table.unique(['tenant_id', 'chain'])
    })
    protectTenantTable(this, 'audit_heads')

    this.schema.createTable('platform_audit_head', (table) => {
      table.smallint('id').primary().defaultTo(1)
      table.bigInteger('last_seq').notNullable().defaultTo(0)
      table.specificType('last_hash', 'char(64)').notNullable()
      table.check('id = 1', [], 'platform_audit_head_single_row')
    })
    // The app role appends platform events (account events) without reading the log: it
    // locks and advances the head (SELECT … FOR UPDATE needs UPDATE) and creates the row
    // when missing. The head is a counter and a hash, nothing of the log itself.
    grantGlobal(this, 'platform_audit_head', {
      app: ['SELECT', 'INSERT', 'UPDATE'],
      platform: ['SELECT', 'INSERT', 'UPDATE'],
    })

    this.defer(async (db) => {
      await chainExistingRows(db)
      for (const table of ['audit_events', 'platform_audit_events']) {
        await db.rawQuery(
          `ALTER TABLE ${table} ALTER COLUMN seq SET NOT NULL,
             ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`
        )
      }
      await db.rawQuery(
        `ALTER TABLE audit_events ADD CONSTRAINT audit_events_tenant_seq_unique UNIQUE (tenant_id, seq),
           ADD CONSTRAINT audit_events_seq_positive CHECK (seq > 0)`
      )
      await db.rawQuery(
        `ALTER TABLE platform_audit_events ADD CONSTRAINT platform_audit_events_seq_unique UNIQUE (seq),
           ADD CONSTRAINT platform_audit_events_seq_positive CHECK (seq > 0)`
      )
    })
  }

  async down() {
    this.schema.dropTable('platform_audit_head')
    this.schema.dropTable('audit_heads')
    for (const table of ['audit_events', 'platform_audit_events']) {
      this.schema.alterTable(table, (t) => {
        t.dropColumns('seq', 'prev_hash', 'hash')
      })
    }
  }
}

/** Chain the rows written before this migration (none on a fresh database). */
async function chainExistingRows(db: QueryClientContract) {
  await db.rawQuery('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only')
  await db.rawQuery(
    'ALTER TABLE platform_audit_events DISABLE TRIGGER platform_audit_events_append_only'
  )

  // audit_events has forced RLS (the owner too): one tenant at a time.
  const tenants = await db.rawQuery('SELECT id FROM tenants ORDER BY id')
  for (const { id: tenantId } of tenants.rows as Array<{ id: number }>) {
    await db.rawQuery(`SELECT set_config('app.tenant_id', ?, true)`, [String(tenantId)])
    const head = await chainTable(db, 'audit_events', tenantId)
    if (head.seq > 0) {
      await db.rawQuery(
        `INSERT INTO audit_heads (tenant_id, chain, last_seq, last_hash) VALUES (?, 'audit', ?, ?)`,
        [tenantId, head.seq, head.hash]
      )
    }
  }
  await db.rawQuery(`SELECT set_config('app.tenant_id', '', true)`)

  const head = await chainTable(db, 'platform_audit_events', null)
  await db.rawQuery('INSERT INTO platform_audit_head (id, last_seq, last_hash) VALUES (1, ?, ?)', [
    head.seq,
    head.hash,
  ])

  await db.rawQuery('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only')
  await db.rawQuery(
    'ALTER TABLE platform_audit_events ENABLE TRIGGER platform_audit_events_append_only'
  )
}

async function chainTable(
  db: QueryClientContract,
  table: 'audit_events' | 'platform_audit_events',
  tenantId: number | null
) {
  let seq = 0
  let hash = GENESIS_HASH
  const where = tenantId === null ? '' : 'WHERE tenant_id = ?'
  const rows = await db.rawQuery(
    `SELECT * FROM ${table} ${where} ORDER BY occurred_at, id`,
    tenantId === null ? [] : [tenantId]
  )
  for (const row of rows.rows) {
    const occurredAt = new Date(row.occurred_at)
    seq += 1
    const fields: AuditLinkFields = {
      tenantId: row.tenant_id === null ? null : Number(row.tenant_id),
      seq,
      occurredAt: occurredAt.toISOString(),
      actorType: row.actor_type,
      actorId: row.actor_id === null ? null : Number(row.actor_id),
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      ip: row.ip,
      metadata: row.metadata ?? {},
    }
    const prev = hash
    hash = auditLink(prev, fields)
    const key = tenantId === null ? 'id = ?' : 'tenant_id = ? AND id = ?'
    await db.rawQuery(
      `UPDATE ${table} SET seq = ?, prev_hash = ?, hash = ?, occurred_at = ? WHERE ${key}`,
      [seq, prev, hash, occurredAt, ...(tenantId === null ? [] : [tenantId]), row.id]
    )
  }
  return { seq, hash }
}
