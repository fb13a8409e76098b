/**
 * `npm run bench:ledger` — what the ledger's guarantees cost, measured in one run on one
 * database (docs/benchmarks.md, "Ledger", explains the method):
 *
 *   1. postTransaction (3-posting sales: tenant check, idempotency lock + lookup, accounts
 *      locked in id order, balances, chain head, hash) vs plain INSERTs of the same rows
 *      (one transaction row + three entry rows per sale, into copies of the ledger tables
 *      without RLS, foreign keys, triggers, balances or chain), same workers, same pool.
 *   2. the same postings from BENCH_WORKERS workers into 1 shop vs spread over 4 shops.
 *   3. verifyLedger() over every shop (≥ BENCH_VERIFY_ENTRIES entries), entries/s.
 *
 * Rounds are interleaved (plain, 1 shop, 4 shops, …) so drift hits every variant alike.
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION (10, seconds per variant and round),
 * BENCH_WORKERS (8), BENCH_VERIFY_ENTRIES (100000), BENCH_DATABASE (lianka_bench_ledger),
 * BENCH_WRITE_DOCS (1; 0 = print only), DB_SUPERUSER_URL.
 */
import 'reflect-metadata'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { Ignitor } from '@adonisjs/core'
import { prepareFreshDatabase } from '#database/setup'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const APP_ROOT = new URL('../', import.meta.url)
const DOCS = new URL('../docs/benchmarks.md', import.meta.url)

const num = (name: string, fallback: number) => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}
const ROUNDS = num('BENCH_ROUNDS', 3)
const DURATION = num('BENCH_DURATION', 10)
const WORKERS = num('BENCH_WORKERS', 8)
const VERIFY_ENTRIES = num('BENCH_VERIFY_ENTRIES', 100_000)
const WRITE_DOCS = process.env.BENCH_WRITE_DOCS !== '0'
const DATABASE = process.env.BENCH_DATABASE || 'lianka_bench_ledger'
const SUPERUSER_URL = process.env.DB_SUPERUSER_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const SHOPS = ['bench-1', 'bench-2', 'bench-3', 'bench-4']
const MARK_START = '<!-- bench:ledger:results:start (written by benchmarks/ledger.ts) -->'
const MARK_END = '<!-- bench:ledger:results:end -->'

function log(message: string) {
  process.stdout.write(`[bench:ledger] ${message}\n`)
}

/* ------------------------------------------------------------------ environment */

// Set before the app boots; process.env wins over .env files in AdonisJS.
const pick = (name: string, fallback: string) => process.env[name] || fallback
Object.assign(process.env, {
  TZ: 'UTC',
  NODE_ENV: 'development',
  PORT: pick('PORT', '3359'),
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  APP_KEY: process.env.APP_KEY || randomBytes(24).toString('base64url'),
  APP_NAME: 'lianka',
  APP_URL: 'http://localhost:3359',
  PLATFORM_DOMAIN: 'localhost',
  DB_HOST: pick('DB_HOST', '127.0.0.1'),
  DB_PORT: pick('DB_PORT', '5432'),
  DB_DATABASE: DATABASE,
  DB_USER: pick('DB_USER', 'lianka_app'),
  DB_PASSWORD: process.env.DB_PASSWORD ?? '',
  DB_OWNER_USER: pick('DB_OWNER_USER', 'lianka_owner'),
  DB_OWNER_PASSWORD: process.env.DB_OWNER_PASSWORD ?? '',
  DB_PLATFORM_USER: pick('DB_PLATFORM_USER', 'lianka_platform'),
  DB_PLATFORM_PASSWORD: process.env.DB_PLATFORM_PASSWORD ?? '',
  DB_POOL_MAX: String(WORKERS + 2),
  DB_SUPERUSER_URL: SUPERUSER_URL,
  SESSION_DRIVER: 'cookie',
  REDIS_HOST: pick('REDIS_HOST', '127.0.0.1'),
  REDIS_PORT: pick('REDIS_PORT', '6379'),
  LIMITER_STORE: 'memory',
  QUEUE_DRIVER: 'memory',
  MAIL_MAILER: 'smtp',
  MAIL_FROM_NAME: 'Lianka',
  MAIL_FROM_ADDRESS: 'no-reply@lianka.localhost',
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: '1025',
})

/* ------------------------------------------------------------------ database */

async function prepareDatabase() {
  const env = process.env
  log(`database ${DATABASE}: roles, clean schema, grants, migrations (owner role)`)
  await prepareFreshDatabase({ superuserUrl: SUPERUSER_URL, database: DATABASE, env, root: ROOT })
  const url = new URL(SUPERUSER_URL)
  url.pathname = `/${DATABASE}`
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    await client.query('BEGIN')
    // The baseline's tables: the ledger tables' columns, defaults and indexes (unique ones
    // included) without RLS, foreign keys, triggers, balances or chain. Benchmark database only.
    for (const table of ['ledger_transactions', 'ledger_entries']) {
      const copy = `bench_plain_${table.replace('ledger_', '')}`
      await client.query(
        `CREATE TABLE ${copy} (LIKE ${table} INCLUDING DEFAULTS INCLUDING INDEXES)`
      )
      await client.query(`GRANT SELECT, INSERT ON ${copy} TO "${env.DB_USER}"`)
    }
    await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "${env.DB_USER}"`)
    for (const slug of SHOPS) {
      await client.query(
        `INSERT INTO tenants (slug, name, status, default_locale, currency)
         VALUES ($1, $1, 'active', 'en', 'CNY')`,
        [slug]
      )
    }
    await client.query('COMMIT')
    const version = await client.query<{ server_version: string }>('SHOW server_version')
    return { pgVersion: version.rows[0].server_version }
  } finally {
    await client.end()
  }
}

/* ------------------------------------------------------------------ run */

const { pgVersion } = await prepareDatabase()

const ignitor = new Ignitor(APP_ROOT, {
  importer: (filePath: string) =>
    filePath.startsWith('./') || filePath.startsWith('../')
      ? import(new URL(filePath, APP_ROOT).href)
      : import(filePath),
})
  .tap((a) => a.booting(async () => void (await import('#start/env'))))
  .createApp('console')
await ignitor.init()
await ignitor.boot()

const { default: db } = await import('@adonisjs/lucid/services/db')
const { withTenant } = await import('#tenancy')
const { postTransaction, verifyLedger } = await import('#ledger')
type TenantRef = import('#tenancy').TenantRef

const shopRows = await db.connection('app').from('tenants').select('*').orderBy('id')
const shops: TenantRef[] = shopRows.map((row) => ({
  id: Number(row.id),
  slug: row.slug,
  name: row.name,
  status: row.status,
  defaultLocale: row.default_locale,
  currency: row.currency,
}))

let keySeq = 0
const sale = (tenantId: number) => {
  const gross = 1000n + BigInt(keySeq % 997)
  const fee = gross / 20n
  return {
    tenantId,
    idempotencyKey: `bench-${process.pid}-${++keySeq}`,
    kind: 'order.paid',
    memo: { order: keySeq },
    postings: [
      { account: { type: 'external_world' as const, currency: 'CNY' }, amount: -gross },
      { account: { type: 'tenant_pending' as const, currency: 'CNY' }, amount: gross - fee },
      { account: { type: 'platform_fee' as const, currency: 'CNY' }, amount: fee },
    ],
  }
}

let plainSeq = 0
const hash = 'a'.repeat(64)
/** The baseline: the same four rows per sale, one statement, in a transaction. */
async function plainInsert(tenantId: number) {
  const n = ++plainSeq
  await db.connection('app').transaction(async (trx) => {
    await trx.rawQuery(
      `WITH tx AS (
         INSERT INTO bench_plain_transactions
           (tenant_id, head_id, seq, idempotency_key, fingerprint, kind, memo, prev_hash, hash)
         VALUES (?, 1, ?, ?, ?, 'order.paid', ?::jsonb, ?, ?)
         RETURNING id
       )
       INSERT INTO bench_plain_entries (tenant_id, transaction_id, line, account_id, amount, currency)
       SELECT ?, tx.id, v.line, v.account_id, v.amount, 'CNY'
         FROM tx, (VALUES (1, 1, -1000), (2, 2, 950), (3, 3, 50)) AS v(line, account_id, amount)`,
      [tenantId, n, `plain-${n}`, hash, JSON.stringify({ order: n }), hash, hash, tenantId]
    )
  })
}

async function ledgerPost(shop: TenantRef) {
  await withTenant((trx) => postTransaction(trx, sale(shop.id)), shop)
}

type Variant = 'plain' | 'ledger-1-shop' | 'ledger-4-shops'
/** WORKERS loops for DURATION seconds; returns transactions/s. */
async function measure(variant: Variant): Promise<number> {
  const deadline = performance.now() + DURATION * 1000
  let done = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      const shop = variant === 'ledger-4-shops' ? shops[w % 4] : shops[0]
      while (performance.now() < deadline) {
        if (variant === 'plain') await plainInsert(shop.id)
        else await ledgerPost(shop)
        done++
      }
    })
  )
  return done / ((performance.now() - started) / 1000)
}

log(`warm-up (${WORKERS} workers, 2 s per variant)`)
for (const v of ['plain', 'ledger-1-shop', 'ledger-4-shops'] as Variant[]) {
  const deadline = performance.now() + 2000
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      while (performance.now() < deadline) {
        if (v === 'plain') await plainInsert(shops[0].id)
        else await ledgerPost(v === 'ledger-4-shops' ? shops[w % 4] : shops[0])
      }
    })
  )
}

const results: Record<Variant, number[]> = {
  'plain': [],
  'ledger-1-shop': [],
  'ledger-4-shops': [],
}
for (let round = 1; round <= ROUNDS; round++) {
  for (const v of ['plain', 'ledger-1-shop', 'ledger-4-shops'] as Variant[]) {
    const tps = await measure(v)
    results[v].push(tps)
    log(
      `round ${round} ${v}: ${tps.toFixed(0)} transactions/s = ${(tps * 3).toFixed(0)} postings/s`
    )
  }
}

/* ------------------------------------------------------------------ verify */

const countEntries = async () => {
  let total = 0
  for (const shop of shops) {
    const { rows } = await withTenant(
      (trx) => trx.rawQuery('SELECT count(*)::int AS n FROM ledger_entries'),
      shop
    )
    total += rows[0].n
  }
  return total
}
let entries = await countEntries()
if (entries < VERIFY_ENTRIES) {
  log(`topping up to ${VERIFY_ENTRIES} entries for verification (have ${entries})`)
  const needed = Math.ceil((VERIFY_ENTRIES - entries) / 3)
  let issued = 0
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      while (issued < needed) {
        issued++
        await ledgerPost(shops[w % 4])
      }
    })
  )
  entries = await countEntries()
}
const verifyRuns: Array<{ entries: number; seconds: number; ok: boolean; transactions: number }> =
  []
for (let i = 0; i < 2; i++) {
  const report = await verifyLedger()
  verifyRuns.push({
    entries: report.checked.entries,
    transactions: report.checked.transactions,
    seconds: report.durationMs / 1000,
    ok: report.ok,
  })
  log(
    `verify ${i + 1}: ${report.checked.entries} entries, ${report.checked.transactions} transactions in ` +
      `${(report.durationMs / 1000).toFixed(2)} s = ${(report.checked.entries / (report.durationMs / 1000)).toFixed(0)} entries/s, ok=${report.ok}`
  )
  if (!report.ok) log(`first problem: ${JSON.stringify(report.firstProblem)}`)
}

await db.manager.closeAll()

/* ------------------------------------------------------------------ report */

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
const med = {
  plain: median(results.plain),
  one: median(results['ledger-1-shop']),
  four: median(results['ledger-4-shops']),
}
const cpu = os.cpus()[0]?.model ?? 'unknown'
const gitHead = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: ROOT,
  encoding: 'utf8',
}).stdout.trim()
const lines = [
  MARK_START,
  `Measured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} at ${gitHead} (plus uncommitted work in the tree, if any): ` +
    `${os.cpus().length} vCPU (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
    `Node ${process.version}, PostgreSQL ${pgVersion} on the same machine; ` +
    `${WORKERS} workers, pool ${WORKERS + 2}, ${ROUNDS} rounds × ${DURATION} s per variant, interleaved.`,
  '',
  '| variant | transactions/s (median) | postings/s (median) | rounds (transactions/s) |',
  '|---|---:|---:|---|',
  `| plain INSERTs (4 rows per sale, no RLS/FK/trigger/balances/chain), 1 shop | ${fmt(med.plain)} | ${fmt(med.plain * 3)} | ${results.plain.map(fmt).join(', ')} |`,
  `| postTransaction, 1 shop | ${fmt(med.one)} | ${fmt(med.one * 3)} | ${results['ledger-1-shop'].map(fmt).join(', ')} |`,
  `| postTransaction, 4 shops | ${fmt(med.four)} | ${fmt(med.four * 3)} | ${results['ledger-4-shops'].map(fmt).join(', ')} |`,
  '',
  `- postTransaction / plain INSERTs (1 shop): **${(med.one / med.plain).toFixed(2)}×** ` +
    `(${(med.plain / med.one).toFixed(1)}× slower).`,
  `- 4 shops / 1 shop (same ${WORKERS} workers): **${(med.four / med.one).toFixed(2)}×**.`,
  ...verifyRuns.map(
    (r, i) =>
      `- ledger:verify run ${i + 1}: ${fmt(r.entries)} entries (${fmt(r.transactions)} transactions, 4 shops) in ` +
      `${r.seconds.toFixed(2)} s = **${fmt(r.entries / r.seconds)} entries/s** (ok: ${r.ok}).`
  ),
  MARK_END,
]
const block = lines.join('\n')
process.stdout.write(`${block}\n`)
if (WRITE_DOCS) {
  const text = readFileSync(DOCS, 'utf8')
  const start = text.indexOf(MARK_START)
  const end = text.indexOf(MARK_END)
  if (start === -1 || end === -1) {
    log('docs/benchmarks.md has no ledger results block; printed only')
  } else {
    writeFileSync(DOCS, text.slice(0, start) + block + text.slice(end + MARK_END.length))
    log('docs/benchmarks.md updated')
  }
}
process.exit(0)
