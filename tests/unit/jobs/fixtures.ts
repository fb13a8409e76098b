import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { Queue } from 'bullmq'
import queueConfig from '#config/queue'
import { currentTenant, withTenant, type TenantRef } from '#tenancy'
import {
  BullmqDriver,
  JobQueue,
  JobRegistry,
  MemoryDriver,
  PermanentJobError,
  PlatformJob,
  TenantJob,
  type PlatformJobContext,
  type TenantJobContext,
  type WorkerHandle,
} from '#jobs'
import { truncateAll } from '#tests/helpers/database'

/** What fixture jobs report back, keyed by the `probe` each test makes up. */
export const probes = new Map<string, unknown[]>()

export function report(probe: string, value: unknown) {
  const list = probes.get(probe) ?? []
  list.push(value)
  probes.set(probe, list)
}

export function reports<T = unknown>(probe: string): T[] {
  return (probes.get(probe) ?? []) as T[]
}

let unique = 0
/** A probe id no other test uses. */
export function probeId(label: string) {
  return `${label}-${process.pid}-${++unique}`
}

type Probe = { tenantId: number; probe: string }

/** Reads `buyers` (RLS) inside the job's tenant transaction. */
export class ReadBuyersJob extends TenantJob<Probe & { otherTenantId: number }> {
  static jobName = 'jobs_test.read_buyers'

  async handle(payload: Probe & { otherTenantId: number }, ctx: TenantJobContext) {
    await withTenant(async (trx) => {
      const mine = await trx.from('buyers').select('email').orderBy('email')
      const other = await trx
        .from('buyers')
        .where('tenant_id', payload.otherTenantId)
        .count('* as n')
      const setting = await trx.rawQuery(`SELECT current_setting('app.tenant_id', true) AS t`)
      report(payload.probe, {
        ctxTenant: ctx.tenant.id,
        contextTenant: currentTenant()?.id,
        setting: setting.rows[0].t,
        emails: mine.map((row) => row.email),
        otherCount: Number(other[0].n),
        attempt: ctx.job.attempt,
      })
    })
  }
}

/** Fails `failTimes` runs (counted per probe), then succeeds. */
export class FlakyJob extends TenantJob<Probe & { failTimes: number; apiToken?: string }> {
  static jobName = 'jobs_test.flaky'
  static attempts = 3
  static backoff = { type: 'exponential' as const, delay: 60 }

  async handle(payload: Probe & { failTimes: number; apiToken?: string }, ctx: TenantJobContext) {
    const runs = reports(payload.probe).length
    report(payload.probe, { at: Date.now(), attempt: ctx.job.attempt })
    if (runs < payload.failTimes) {
      throw new Error(`E_FLAKY: boom ${runs + 1}\nsecond line\nthird line\nfourth line never shown`)
    }
  }
}

/** Counts runs. */
export class CountJob extends TenantJob<Probe> {
  static jobName = 'jobs_test.count'
  static attempts = 1

  async handle(payload: Probe) {
    report(payload.probe, Date.now())
  }
}

/** Sleeps `ms`, reporting start and end. */
export class SlowJob extends TenantJob<Probe & { ms: number }> {
  static jobName = 'jobs_test.slow'
  static attempts = 1
  static transaction = false

  async handle(payload: Probe & { ms: number }) {
    report(payload.probe, 'started')
    await new Promise((resolve) => setTimeout(resolve, payload.ms))
    report(payload.probe, 'finished')
  }
}

/** Writes a buyer, then fails for good: the write must roll back with the job. */
export class WriteThenFailJob extends TenantJob<Probe & { email: string }> {
  static jobName = 'jobs_test.write_then_fail'
  static attempts = 2

  async handle(payload: Probe & { email: string }) {
    await withTenant((trx) =>
      trx
        .table('buyers')
        .insert({ tenant_id: payload.tenantId, email: payload.email, password: 'x' })
    )
    report(payload.probe, 'wrote')
    throw new PermanentJobError('E_TEST_STOP: stop after writing')
  }
}

/** Cross-tenant: counts every shop's buyers through `withPlatform`. */
export class CountAllBuyersJob extends PlatformJob<{ probe: string }> {
  static jobName = 'jobs_test.count_all_buyers'
  static attempts = 1

  async handle(payload: { probe: string }, ctx: PlatformJobContext) {
    const unscoped = await db.connection('app').from('buyers').count('* as n')
    const all = await ctx.withPlatform('count buyers', (trx) => trx.from('buyers').count('* as n'))
    report(payload.probe, {
      contextTenant: currentTenant()?.id ?? null,
      unscoped: Number(unscoped[0].n),
      all: Number(all[0].n),
    })
  }
}

export const testRegistry = new JobRegistry([
  ReadBuyersJob,
  FlakyJob,
  CountJob,
  SlowJob,
  WriteThenFailJob,
  CountAllBuyersJob,
])

export const silentLogger = logger.child(
  { component: 'jobs-test' },
  { level: (process.env.JOBS_TEST_LOG as 'info' | undefined) ?? 'silent' }
)

/** A queue under test, with its worker (BullMQ) already consuming. */
export interface Harness {
  queue: JobQueue
  /** Close worker and queue (`force`: without waiting for active jobs) and drop the Redis keys. */
  stop(force?: boolean): Promise<void>
}

export type DriverKind = 'bullmq' | 'memory'

let prefixes = 0
/** A Redis prefix no other run (or engineer) uses. */
export function testPrefix() {
  return `lk-test-jobs-${process.pid}-${Date.now().toString(36)}-${++prefixes}`
}

/** Build a queue on `kind` with the test registry; BullMQ gets its own prefix and worker. */
export async function startHarness(kind: DriverKind): Promise<Harness> {
  const prefix = testPrefix()
  const driver =
    kind === 'memory'
      ? new MemoryDriver()
      : new BullmqDriver({
          connection: queueConfig.bullmq.connection,
          prefix,
          removeOnComplete: { count: 1000 },
          removeOnFail: { count: 1000 },
          logger: silentLogger,
        })
  const queue = new JobQueue({
    driver,
    registry: async () => testRegistry,
    logger: silentLogger,
    inProcessConcurrency: 4,
  })
  let worker: WorkerHandle | undefined
  if (kind === 'bullmq') worker = await queue.work({ concurrency: 4 })
  return {
    queue,
    async stop(force = false) {
      // A stuck job must fail the suite, not hang it: give close() 10 s, then force it.
      const closed = (async () => {
        await worker?.close(force)
        await queue.close(force)
      })()
      const timedOut = await Promise.race([
        closed.then(() => false),
        sleep(10_000).then(() => true),
      ])
      if (timedOut) {
        await worker?.close(true)
        await queue.close(true)
      }
      if (kind === 'bullmq') await obliterate(prefix, testRegistry.queues())
      if (timedOut) throw new Error('the queue did not close within 10 s: a job is stuck')
    },
  }
}

/** Remove every key a test prefix created. */
export async function obliterate(prefix: string, queues: string[]) {
  for (const name of queues) {
    const queue = new Queue(name, { connection: queueConfig.bullmq.connection, prefix })
    await queue.obliterate({ force: true })
    await queue.close()
  }
}

/** Poll until `check` returns a truthy value (or throw after `timeout` ms). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeout = 5000,
  label = 'condition'
): Promise<Exclude<T, null | undefined | false | 0 | ''>> {
  const until = Date.now() + timeout
  for (;;) {
    const value = await check()
    if (value) return value as Exclude<T, null | undefined | false | 0 | ''>
    if (Date.now() > until) throw new Error(`timed out waiting for ${label}`)
    await sleep(10)
  }
}

export function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Two active shops with one buyer each; everything else emptied. */
export async function seedTwoShops(): Promise<{ a: TenantRef; b: TenantRef }> {
  await truncateAll()
  const owner = db.connection('owner')
  const rows = await owner
    .table('tenants')
    .insert([
      { slug: 'jobs-a', name: 'Jobs A', status: 'active' },
      { slug: 'jobs-b', name: 'Jobs B', status: 'active' },
    ])
    .returning(['id', 'slug', 'name', 'status', 'default_locale', 'currency'])
  const [a, b] = rows.map((row): TenantRef => ({
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    status: row.status,
    defaultLocale: row.default_locale,
    currency: row.currency,
  }))
  for (const tenant of [a, b]) {
    await withTenant(
      (trx) =>
        trx
          .table('buyers')
          .insert({ tenant_id: tenant.id, email: `buyer@${tenant.slug}`, password: 'x' }),
      tenant
    )
  }
  return { a, b }
}

/** Wait for the first `job_failures` row of `probe`; returns all its rows. */
export function waitForFailures(probe: string, timeout = 5000) {
  return waitFor(
    async () => {
      const rows = await failuresOf(probe)
      return rows.length ? rows : null
    },
    timeout,
    `job_failures row of ${probe}`
  )
}

/** `job_failures` rows of one probe, newest first. */
export function failuresOf(probe: string) {
  return db
    .connection('owner')
    .from('job_failures')
    .whereRaw(`payload->>'probe' = ?`, [probe])
    .orderBy('id', 'desc')
}
