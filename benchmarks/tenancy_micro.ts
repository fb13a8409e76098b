/**
 * Where the tenant page's extra time goes, without HTTP: the database part of each page,
 * in-process, on the `app` pool. Run by benchmarks/tenancy.ts (BENCH_MICRO=1, after the
 * HTTP rounds, against the same seeded database) or by hand with the same environment.
 *
 * Variants, interleaved, each as many operations as possible in BENCH_MICRO_SECONDS with
 * BENCH_MICRO_CONCURRENCY callers (and once with 1 caller, for latency):
 *
 *   plain            the baseline's query, no transaction                       1 round trip
 *   trx              BEGIN; the baseline's query; COMMIT                        3 round trips
 *   withTenant       withTenant(): BEGIN; SET LOCAL; query; COMMIT              4 round trips
 *   withTenant-1rt   same, with BEGIN and SET LOCAL sent as one simple query    3 round trips
 *                    (the change proposed in docs/benchmarks.md; patched here on
 *                    this process's knex client only, to measure it)
 *
 * Prints one JSON line per variant and concurrency: ops/s, µs of this process's CPU per op.
 */
import 'reflect-metadata'
import { Ignitor } from '@adonisjs/core'
import { createRequire } from 'node:module'

const APP_ROOT = new URL('../', import.meta.url)
const SECONDS = Number(process.env.BENCH_MICRO_SECONDS || 3)
const CONCURRENCY = Number(process.env.BENCH_MICRO_CONCURRENCY || 10)
const ROUNDS = Number(process.env.BENCH_MICRO_ROUNDS || 3)

const app = new Ignitor(APP_ROOT, {
  importer: (filePath: string) =>
    filePath.startsWith('./') || filePath.startsWith('../')
      ? import(new URL(filePath, APP_ROOT).href)
      : import(filePath),
})
  .tap((a) => a.booting(async () => void (await import('#start/env'))))
  .createApp('console')
await app.init()
await app.boot()

const { default: db } = await import('@adonisjs/lucid/services/db')
const { withTenant, tenantIdLiteral } = await import('#tenancy')
const { newestBaselineEvents, newestTenantEvents } = await import('#bench/bench_queries')

const row = await db
  .connection('app')
  .from('tenants')
  .select('*')
  .where('slug', 'bench')
  .firstOrFail()
const tenant = {
  id: Number(row.id),
  slug: row.slug,
  name: row.name,
  status: row.status,
  defaultLocale: row.default_locale,
  currency: row.currency,
}

/**
 * One-round-trip variant, for measurement only: a knex pg transaction whose BEGIN carries
 * the tenant (`BEGIN; SET LOCAL app.tenant_id = '<id>'`, one simple-protocol query).
 */
const require = createRequire(import.meta.url)
const PgTransaction = require('knex/lib/dialects/postgres/execution/pg-transaction.js')
class TenantPgTransaction extends PgTransaction {
  declare lkTenantId?: string
  constructor(client: unknown, container: unknown, config: any, outerTx: unknown) {
    super(client, container, config, outerTx)
    if (config?.lkTenantId) this.lkTenantId = tenantIdLiteral(config.lkTenantId)
  }
  begin(conn: unknown) {
    if (!this.lkTenantId || this.outerTx) return super.begin(conn)
    return this.query(conn, `BEGIN; SET LOCAL app.tenant_id = '${this.lkTenantId}'`)
  }
}
const knexClient = (db.connection('app').getWriteClient() as any).client
const originalTransaction = knexClient.transaction
knexClient.transaction = function (container: unknown, config: any, outerTx: unknown) {
  return config?.lkTenantId
    ? new TenantPgTransaction(this, container, config, outerTx)
    : originalTransaction.call(this, container, config, outerTx)
}

const variants: Record<string, () => Promise<unknown>> = {
  'plain': () => newestBaselineEvents(),
  'trx': () => db.connection('app').transaction((trx) => newestBaselineEvents(trx)),
  'withTenant': () => withTenant((trx) => newestTenantEvents(trx, tenant.id), tenant),
  'withTenant-1rt': () =>
    db
      .connection('app')
      .transaction((trx) => newestTenantEvents(trx, tenant.id), { lkTenantId: tenant.id } as any),
}

// Each variant must return the shop's 20 rows (RLS set) — otherwise the timing means nothing.
for (const [name, fn] of Object.entries(variants)) {
  const rows = (await fn()) as unknown[]
  if (rows.length !== 20) throw new Error(`${name}: ${rows.length} rows, expected 20`)
}

async function measure(fn: () => Promise<unknown>, concurrency: number, seconds: number) {
  let ops = 0
  const deadline = performance.now() + seconds * 1000
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await fn()
        ops++
      }
    })
  )
  const wall = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  return {
    opsPerSec: ops / wall,
    cpuUsPerOp: (cpu.user + cpu.system) / ops,
    latencyMs: (wall * 1000 * concurrency) / ops,
  }
}

for (const fn of Object.values(variants)) await measure(fn, CONCURRENCY, 1) // warm-up

const results: Record<string, { opsPerSec: number[]; cpuUsPerOp: number[]; latencyMs: number[] }> =
  {}
for (const concurrency of [1, CONCURRENCY]) {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(variants)) {
      const r = await measure(fn, concurrency, SECONDS)
      const key = `${name}@${concurrency}`
      results[key] ??= { opsPerSec: [], cpuUsPerOp: [], latencyMs: [] }
      results[key].opsPerSec.push(r.opsPerSec)
      results[key].cpuUsPerOp.push(r.cpuUsPerOp)
      results[key].latencyMs.push(r.latencyMs)
    }
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
for (const [key, r] of Object.entries(results)) {
  const [variant, concurrency] = key.split('@')
  console.log(
    JSON.stringify({
      variant,
      concurrency: Number(concurrency),
      opsPerSec: Math.round(median(r.opsPerSec)),
      cpuUsPerOp: Math.round(median(r.cpuUsPerOp)),
      latencyMs: Number(median(r.latencyMs).toFixed(3)),
    })
  )
}
await app.terminate()
