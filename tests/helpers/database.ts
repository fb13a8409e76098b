import { DEFAULT_PLANS } from '#database/helpers/reference_data'
import env from '#start/env'
import db from '@adonisjs/lucid/services/db'
import { jobs } from '#jobs'
import { MemoryDriver } from '#jobs/drivers/memory_driver'
import { rolesFromEnv, setupDatabases } from '#database/setup'
import ace from '@adonisjs/core/services/ace'
import { tenantDirectory } from '#tenancy'

/** Roles + test database (idempotent), then a clean schema migrated by the owner role. */
export async function prepareTestDatabase() {
  await setupDatabases(
    env.get('DB_SUPERUSER_URL') ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    [env.get('DB_DATABASE')],
    rolesFromEnv((name) => env.get(name as any)),
    { resetSchema: true }
  )
  const command = await ace.exec('migration:run', ['--connection=owner', '--compact-output'])
  if (command.exitCode !== 0) {
    throw command.error ?? new Error('migrations failed')
  }
}

/** Tables that tests may empty between cases (everything but the migration bookkeeping). */
export async function truncateAll() {
  const owner = db.connection('owner')
  const rows = await owner
    .from('pg_tables')
    .select('tablename')
    .where('schemaname', 'public')
    .whereNotIn('tablename', ['adonis_schema', 'adonis_schema_versions'])
  if (!rows.length) return
  const list = rows.map((r) => `"${r.tablename}"`).join(', ')
  // Jobs left over from the previous test (a mail retry, an alert mail) must not run against
  // the next test's rows: ids restart below, so tenant 1 would be another shop.
  const driver = jobs().driver
  if (driver instanceof MemoryDriver) await driver.discardPending()
  // A job of the previous test (mail after commit) may still be reading: TRUNCATE takes its
  // table locks one by one and can deadlock with it; PostgreSQL then aborts one. Retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await owner.rawQuery(`TRUNCATE ${list} RESTART IDENTITY CASCADE`)
      await owner.table('plans').multiInsert(DEFAULT_PLANS.map((plan) => ({ ...plan })))
      // Ids start again: a shop cached by id (or slug) in this process is another shop now.
      tenantDirectory.forget()
      return
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    }
  }
}
