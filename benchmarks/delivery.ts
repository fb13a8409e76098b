/**
 * `npm run bench:delivery` — the delivery engine's benchmark bar (issue 4), one run, one
 * database (docs/benchmarks.md, "Delivery", explains the method):
 *
 *   1. import of 100,000 keys through the merchant action `importProductStock` (parse, keyed
 *      hash, AES-256-GCM, INSERT into card_items under RLS) in a fresh child process that
 *      boots the app: seconds and peak RSS;
 *   2. flash sale over HTTP: BENCH_BUYERS (2,000) buyers, each with its own session (GET the
 *      product page → cookie + _csrf) and its own client address, POST the real checkout form
 *      at once for BENCH_FLASH_KEYS (500) keys; throughput, p50/p99, then the database is
 *      checked (oversold, double sale) after every order was paid through confirmPayment;
 *   3. `wrk -t2 -c50 -d20s`: a trivial page of the same server, the product page (a product
 *      with BENCH_PAGE_KEYS keys, and the 100,000-key product) and the checkout POST, rounds
 *      interleaved;
 *   4. paid → delivered: confirmPayment (in-process, BENCH_PAY_WORKERS loops) against a
 *      raw-SQL baseline with `pg` making the same row changes, rounds interleaved.
 *
 * Knobs (environment): BENCH_DATABASE (lianka_bench_delivery), BENCH_PORT (a free port),
 * BENCH_BUYERS (2000), BENCH_FLASH_KEYS (500), BENCH_IMPORT_KEYS (100000), BENCH_PAGE_KEYS (1000), BENCH_HTTP_ROUNDS
 * (2), BENCH_DURATION (20 s), BENCH_WARMUP (5 s), BENCH_CONNECTIONS (50), BENCH_THREADS (2),
 * BENCH_PAY_ROUNDS (3), BENCH_PAY_ORDERS (500 per round and variant), BENCH_PAY_WORKERS (8),
 * BENCH_WRITE_DOCS (1; 0 = print only), BENCH_CPU_PROFILE (a file: CPU profile of this process
 * during confirmPayment round 1), DB_SUPERUSER_URL, BENCH_APP_ROOT (unset; a compiled build,
 * e.g. `build` after `node ace build` with `ln -s ../node_modules build/node_modules`: the
 * whole run — seeding, the import child, the server and confirmPayment — then runs the
 * compiled JavaScript of that build, as production does, without the ts-exec loader).
 */
import 'reflect-metadata'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import { join, relative as relativePath, resolve as resolvePath } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { Ignitor } from '@adonisjs/core'
import { prepareFreshDatabase } from '#database/setup'
import {
  checkoutWrkScript,
  cookieHeader,
  csrfToken,
  mergeCookies,
  percentile,
  pool,
  runWrk,
  send,
  wrkVersion,
  type WrkResult,
} from './delivery_http.js'

/**
 * The app this process runs: the sources (under ts-exec) or, when this file is the compiled
 * `build/benchmarks/delivery.js`, the build it belongs to. The docs live in the sources.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const APP_ROOT = new URL('../', import.meta.url)
const COMPILED = import.meta.url.endsWith('.js')
const SOURCE_ROOT = process.env.BENCH_SOURCE_ROOT || ROOT
const DOCS = pathToFileURL(resolvePath(SOURCE_ROOT, 'docs/benchmarks.md'))
/** `node <script>` arguments: the compiled file as is, the sources through the ts-exec loader. */
const nodeArgs = (script: string) =>
  COMPILED ? [`${script}.js`] : ['--import=@poppinss/ts-exec', `${script}.ts`]
const SERVER_MODE = COMPILED
  ? `compiled build (\`node ace build\` → ${relativePath(SOURCE_ROOT, ROOT) || '.'}/, node bin/server.js; this script, the import child and confirmPayment also compiled)`
  : 'TypeScript sources through @poppinss/ts-exec (node --import=@poppinss/ts-exec bin/server.ts; this script and the import child too)'

const num = (name: string, fallback: number) => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}
const DATABASE = process.env.BENCH_DATABASE || 'lianka_bench_delivery'
const SUPERUSER_URL = process.env.DB_SUPERUSER_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const BUYERS = num('BENCH_BUYERS', 2000)
const FLASH_KEYS = num('BENCH_FLASH_KEYS', 500)
const IMPORT_KEYS = num('BENCH_IMPORT_KEYS', 100_000)
/** Stock of the product page measured against the peers (the 100,000-key product is the other). */
const PAGE_KEYS = num('BENCH_PAGE_KEYS', 1000)
const HTTP_ROUNDS = num('BENCH_HTTP_ROUNDS', 2)
const DURATION = num('BENCH_DURATION', 20)
const WARMUP = num('BENCH_WARMUP', 5)
const CONNECTIONS = num('BENCH_CONNECTIONS', 50)
const THREADS = num('BENCH_THREADS', 2)
const PAY_ROUNDS = num('BENCH_PAY_ROUNDS', 3)
const PAY_ORDERS = num('BENCH_PAY_ORDERS', 500)
const PAY_WORKERS = num('BENCH_PAY_WORKERS', 8)
const WRITE_DOCS = process.env.BENCH_WRITE_DOCS !== '0'
const PLATFORM_DOMAIN = 'localhost'
const SHOP = 'bench'
const RAW_SHOP = 'bench-raw'
const SHOP_HOST = `${SHOP}.${PLATFORM_DOMAIN}`
/** en text of shop_orders.errors.sold_out: what a buyer who lost the race must read. */
const SOLD_OUT_TEXT = 'Sorry, there is not enough stock for this quantity.'
/** One results block per mode in docs/benchmarks.md, each rewritten by its own runs. */
const MODE = COMPILED ? 'build' : 'ts-exec'
const MARK_START = `<!-- bench:delivery:results:${MODE}:start (written by benchmarks/delivery.ts) -->`
const MARK_END = `<!-- bench:delivery:results:${MODE}:end -->`

function log(message: string) {
  process.stdout.write(`[bench:delivery] ${message}\n`)
}

/* ------------------------------------------------------------------ environment */

// Set before the app boots, inherited by the server and the import child; process.env wins
// over .env files in AdonisJS, so a developer's .env cannot point the run elsewhere.
const pick = (name: string, fallback: string) => process.env[name] || fallback
const isChild = process.argv.some((a) => a.startsWith('--child='))
const PORT = isChild
  ? Number(process.env.PORT)
  : process.env.BENCH_PORT
    ? Number(process.env.BENCH_PORT)
    : await freePort()
// The import child inherits the complete environment (the same keys) from its parent.
if (!isChild)
  Object.assign(process.env, {
    TZ: 'UTC',
    PORT: String(PORT),
    APP_URL: `http://${PLATFORM_DOMAIN}:${PORT}`,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    APP_KEY: process.env.BENCH_APP_KEY || randomBytes(24).toString('base64url'),
    APP_NAME: 'lianka',
    PLATFORM_DOMAIN,
    DB_HOST: pick('DB_HOST', '127.0.0.1'),
    DB_PORT: pick('DB_PORT', '5432'),
    DB_DATABASE: DATABASE,
    DB_USER: pick('DB_USER', 'lianka_app'),
    DB_PASSWORD: process.env.DB_PASSWORD ?? '',
    DB_OWNER_USER: pick('DB_OWNER_USER', 'lianka_owner'),
    DB_OWNER_PASSWORD: process.env.DB_OWNER_PASSWORD ?? '',
    DB_PLATFORM_USER: pick('DB_PLATFORM_USER', 'lianka_platform'),
    DB_PLATFORM_PASSWORD: process.env.DB_PLATFORM_PASSWORD ?? '',
    DB_POOL_MAX: pick('DB_POOL_MAX', '10'),
    DB_SUPERUSER_URL: SUPERUSER_URL,
    SESSION_DRIVER: 'cookie',
    REDIS_HOST: pick('REDIS_HOST', '127.0.0.1'),
    REDIS_PORT: pick('REDIS_PORT', '6379'),
    LIMITER_STORE: 'memory',
    // This process (confirmPayment) dispatches the delivery mail as production does: into a
    // BullMQ queue in Redis, under a prefix of its own, deleted at the end; no worker runs
    // here (production runs them in `node ace queue:work`). The server gets `memory`.
    QUEUE_DRIVER: 'bullmq',
    QUEUE_PREFIX: `lianka-bench-delivery-${randomBytes(4).toString('hex')}`,
    MAIL_MAILER: 'smtp',
    MAIL_FROM_NAME: 'Lianka',
    MAIL_FROM_ADDRESS: 'no-reply@lianka.localhost',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '1025',
    // One random master key per run, shared by this process, the server and the import child.
    SECRETS_MASTER_KEY: process.env.BENCH_SECRETS_MASTER_KEY || randomBytes(32).toString('base64'),
  })

async function bootApp() {
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
}

type TenantRef = import('#tenancy').TenantRef

async function loadShop(slug: string): Promise<TenantRef> {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const row = await db.connection('app').from('tenants').where('slug', slug).firstOrFail()
  return {
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    status: row.status,
    defaultLocale: row.default_locale,
    currency: row.currency,
  }
}

/* ------------------------------------------------------------------ import child */

interface ImportResult {
  seconds: number
  added: number
  lines: number
  rssAfterBootMb: number
  peakRssMb: number
}

/** Child process: boot the app, run the merchant's stock import of the file, report. */
async function importChild(productId: number, userId: number, memberId: number, file: string) {
  await bootApp()
  const { runAsTenant } = await import('#tenancy')
  const { importProductStock } = await import('#actions/merchant/stock/import_product_stock')
  const shop = await loadShop(SHOP)
  const rssAfterBootMb = process.memoryUsage().rss / 2 ** 20
  const started = process.hrtime.bigint()
  const report = await runAsTenant(shop, () =>
    importProductStock({
      member: { id: memberId, userId, role: 'owner' },
      productId,
      format: 'card_password',
      text: null,
      filePath: file,
      ip: '127.0.0.1',
    })
  )
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const result: ImportResult = {
    seconds,
    added: report.added,
    lines: report.lines,
    rssAfterBootMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
  process.exit(0)
}

/* ------------------------------------------------------------------ database */

function superClient() {
  const url = new URL(SUPERUSER_URL)
  url.pathname = `/${DATABASE}`
  return new pg.Client({ connectionString: url.toString() })
}

/** Roles, clean schema, migrations; two shops, a merchant owner, the trivial page's table. */
async function prepareDatabase() {
  log(`database ${DATABASE}: roles, clean schema, grants, migrations (owner role)`)
  await prepareFreshDatabase({
    superuserUrl: SUPERUSER_URL,
    database: DATABASE,
    env: process.env,
    root: ROOT,
  })
  const client = superClient()
  await client.connect()
  try {
    // Superuser: seeding is not the code under test.
    await client.query('BEGIN')
    const shops = await client.query<{ id: string }>(
      `INSERT INTO tenants (slug, name, status, default_locale, currency)
       VALUES ($1, 'Bench Shop', 'active', 'en', 'CNY'), ($2, 'Bench Raw', 'active', 'en', 'CNY')
       RETURNING id`,
      [SHOP, RAW_SHOP]
    )
    const shopId = shops.rows[0].id
    const user = await client.query<{ id: string }>(
      `INSERT INTO users (email, full_name, password, email_verified_at)
       VALUES ('owner@bench.test', 'Bench Owner', 'not-a-login', now()) RETURNING id`
    )
    const member = await client.query<{ id: string }>(
      `INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, 'owner') RETURNING id`,
      [shopId, user.rows[0].id]
    )
    // The trivial page's table (the same one benchmarks/tenancy.ts reads): audit_events'
    // shape without RLS, 20 rows, readable by the app role. Benchmark database only.
    await client.query(
      `CREATE TABLE bench_baseline_events (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)`
    )
    await client.query(`GRANT SELECT ON bench_baseline_events TO "${process.env.DB_USER}"`)
    await client.query(
      `INSERT INTO bench_baseline_events (tenant_id, occurred_at, actor_type, action, target_type, target_id, ip, metadata, seq, prev_hash, hash)
       SELECT $1, now() - make_interval(mins => i), 'system', 'order.delivered', 'order',
              'ORD-' || (100000 + i), '203.0.113.' || i, '{}'::jsonb, i, repeat('0', 64), repeat('0', 64)
         FROM generate_series(1, 20) AS i`,
      [shopId]
    )
    await client.query('COMMIT')
    const version = await client.query<{ server_version: string }>('SHOW server_version')
    return {
      pgVersion: version.rows[0].server_version,
      userId: Number(user.rows[0].id),
      memberId: Number(member.rows[0].id),
    }
  } finally {
    await client.end()
  }
}

/* ------------------------------------------------------------------ server */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** A non-production server rewrites the committed route indexes at boot: put them back. */
function keepGeneratedRoutes() {
  const dir = resolvePath(ROOT, '.adonisjs/server')
  const saved = ['routes.d.ts', 'routes.json']
    .map((name) => resolvePath(dir, name))
    .filter((path) => existsSync(path))
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }))
  return () => {
    for (const { path, text } of saved) {
      const now = existsSync(path) ? readFileSync(path, 'utf8') : undefined
      if (now !== undefined && now !== text && now.includes('bench.baseline_page'))
        writeFileSync(path, text)
    }
  }
}

function startServer(port: number) {
  const child = spawn(process.execPath, nodeArgs('bin/server'), {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      QUEUE_DRIVER: 'memory',
      // The trivial in-run baseline page (start/routes/bench.ts); never routed in production.
      BENCHMARK_ROUTES: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  return { child, output: () => output }
}

async function waitForServer(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output()}`)
    try {
      const res = await send(port, { path: '/__bench/page', host: PLATFORM_DOMAIN })
      if (res.status === 200) return
    } catch {}
    await sleep(250)
  }
  throw new Error(`server did not answer within 90 s:\n${output()}`)
}

/* ------------------------------------------------------------------ seeding (real code) */

/** A category and an active card product, through the catalog code (withTenant, RLS). */
async function cardProduct(shop: TenantRef, name: string, priceMinor: bigint) {
  const { withTenant } = await import('#tenancy')
  const { createCategory, createProduct } = await import('#delivery')
  return withTenant(async (trx) => {
    const category = await createCategory(trx, { tenantId: shop.id, name: `${name} keys` })
    return createProduct(trx, {
      tenantId: shop.id,
      categoryId: category.id,
      name,
      type: 'card',
      priceMinor,
      currency: shop.currency,
      status: 'active',
      stockDisplay: 'exact',
    })
  }, shop)
}

function keyLines(count: number, tag: string) {
  const lines: string[] = []
  for (let i = 0; i < count; i++) {
    lines.push(
      `${tag}-${i.toString().padStart(8, '0')}-${randomBytes(12).toString('hex')}----${randomBytes(6).toString('hex')}`
    )
  }
  return lines
}

/** Stock through the merchant's import action (pasted text). */
async function importKeys(shop: TenantRef, productId: number, userId: number, lines: string[]) {
  const { runAsTenant } = await import('#tenancy')
  const { importProductStock } = await import('#actions/merchant/stock/import_product_stock')
  const report = await runAsTenant(shop, () =>
    importProductStock({
      member: { id: 0, userId, role: 'owner' },
      productId,
      format: 'card_password',
      text: lines.join('\n'),
      filePath: null,
      ip: '127.0.0.1',
    })
  )
  if (report.added !== lines.length) throw new Error(`import added ${report.added}`)
}

/* ------------------------------------------------------------------ flash sale */

interface FlashResult {
  buyers: number
  keys: number
  sessionsSeconds: number
  burstSeconds: number
  answersPerSecond: number
  ordersPerSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  succeeded: number
  soldOutRedirects: number
  clearSoldOut: number
  otherAnswers: Record<string, number>
  db: FlashCheck
}

interface FlashCheck {
  ordersInDb: number
  itemsHeld: number
  quantityOrdered: number
  oversold: number
  ordersWithWrongItemCount: number
  itemsOnTwoOrders: number
  paidDelivered: number
  soldItems: number
  doubleSold: number
  linesWithWrongSoldCount: number
}

async function flashSale(port: number, productId: number): Promise<Omit<FlashResult, 'db'>> {
  const path = `/p/${productId}`
  const buyers = Array.from({ length: BUYERS }, (_, i) => ({
    i,
    ip: `10.77.${i >> 8}.${i & 255}`,
    jar: new Map<string, string>(),
    token: '',
  }))
  log(`flash sale: ${BUYERS} buyers open the product page (own session each, 100 at a time)`)
  const t0 = performance.now()
  await pool(buyers, 100, async (b) => {
    const page = await send(port, { path, host: SHOP_HOST, headers: { 'X-Forwarded-For': b.ip } })
    if (page.status !== 200) throw new Error(`product page: ${page.status}`)
    mergeCookies(b.jar, page.setCookie)
    const token = csrfToken(page.body)
    if (!token) throw new Error('no _csrf field on the product page')
    b.token = token
  })
  const sessionsSeconds = (performance.now() - t0) / 1000

  log(`flash sale: ${BUYERS} checkouts POSTed at once for ${FLASH_KEYS} keys`)
  const started = performance.now()
  const replies = await Promise.all(
    buyers.map((b) =>
      send(port, {
        method: 'POST',
        path: `${path}/checkout`,
        host: SHOP_HOST,
        headers: { 'Cookie': cookieHeader(b.jar), 'X-Forwarded-For': b.ip },
        body: new URLSearchParams({
          _csrf: b.token,
          quantity: '1',
          contactEmail: `buyer${b.i}@example.test`,
        }).toString(),
      }).catch((error: Error) => ({
        status: -1,
        location: error.message,
        setCookie: [],
        body: '',
        ms: performance.now() - started,
      }))
    )
  )
  const burstSeconds = (performance.now() - started) / 1000

  let succeeded = 0
  const soldOut: number[] = []
  const otherAnswers: Record<string, number> = {}
  replies.forEach((r, i) => {
    if (r.status === 302 && /^\/orders\/[^/]+$/.test(r.location ?? '')) succeeded++
    else if (r.status === 302 && r.location === path) soldOut.push(i)
    else {
      const k = `${r.status}${r.status === 302 ? ` → ${r.location}` : ''}`
      otherAnswers[k] = (otherAnswers[k] ?? 0) + 1
    }
  })
  // A buyer who lost must be told so: follow the redirect with the buyer's session.
  let clearSoldOut = 0
  await pool(soldOut, 50, async (i) => {
    const b = buyers[i]
    mergeCookies(b.jar, replies[i].setCookie)
    const page = await send(port, {
      path,
      host: SHOP_HOST,
      headers: { 'Cookie': cookieHeader(b.jar), 'X-Forwarded-For': b.ip },
    })
    if (page.status === 200 && page.body.includes(SOLD_OUT_TEXT)) clearSoldOut++
  })
  const latencies = replies.map((r) => r.ms).sort((a, b) => a - b)
  return {
    buyers: BUYERS,
    keys: FLASH_KEYS,
    sessionsSeconds,
    burstSeconds,
    answersPerSecond: BUYERS / burstSeconds,
    ordersPerSecond: succeeded / burstSeconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? 0,
    succeeded,
    soldOutRedirects: soldOut.length,
    clearSoldOut,
    otherAnswers,
  }
}

/** The database after the sale, then after every order was paid through confirmPayment. */
async function checkFlash(shop: TenantRef, productId: number): Promise<FlashCheck> {
  const client = superClient()
  await client.connect()
  try {
    const held = async () => {
      const { rows } = await client.query(
        `SELECT
             (SELECT count(*) FROM orders WHERE tenant_id = $1 AND product_id = $2)::int AS orders,
             (SELECT count(*) FROM card_items WHERE tenant_id = $1 AND product_id = $2
                AND status IN ('reserved', 'sold'))::int AS items,
             (SELECT coalesce(sum(l.quantity), 0) FROM orders o
                JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
               WHERE o.tenant_id = $1 AND o.product_id = $2
                 AND o.status IN ('pending', 'paid', 'delivered'))::int AS qty,
             (SELECT count(*) FROM orders o
                JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
               WHERE o.tenant_id = $1 AND o.product_id = $2
                 AND l.quantity <> (SELECT count(*) FROM card_items ci WHERE ci.tenant_id = o.tenant_id
                                      AND ci.reserved_order_id = o.id AND ci.status IN ('reserved', 'sold'))
             )::int AS wrong,
             (SELECT count(*) FROM (SELECT secret_hash FROM card_items WHERE tenant_id = $1 AND product_id = $2
                AND status IN ('reserved', 'sold') GROUP BY secret_hash HAVING count(DISTINCT reserved_order_id) > 1) d)::int AS twice`,
        [shop.id, productId]
      )
      return rows[0]
    }
    const before = await held()

    // Pay every order of the sale through the one payment path, 8 at a time.
    const { confirmPayment } = await import('#delivery')
    const { rows: orders } = await client.query<{ order_no: string; amount_minor: string }>(
      `SELECT order_no, amount_minor FROM orders WHERE tenant_id = $1 AND product_id = $2 AND status = 'pending'`,
      [shop.id, productId]
    )
    let delivered = 0
    await pool(orders, 8, async (o) => {
      const r = await confirmPayment({
        tenantId: shop.id,
        gateway: 'epay',
        providerTxnId: `FLASH-${o.order_no}`,
        orderNo: o.order_no,
        amountMinor: BigInt(o.amount_minor),
        currency: shop.currency,
        paidAt: new Date(),
      })
      if (r.outcome === 'paid' && r.order.status === 'delivered') delivered++
    })
    const {
      rows: [sold],
    } = await client.query(
      `SELECT
           (SELECT count(*) FROM card_items WHERE tenant_id = $1 AND product_id = $2 AND status = 'sold')::int AS sold,
           (SELECT count(*) FROM card_items ci JOIN order_lines l ON l.tenant_id = ci.tenant_id AND l.id = ci.sold_line_id
             WHERE ci.tenant_id = $1 AND ci.product_id = $2 AND ci.status = 'sold'
               AND l.order_id <> ci.reserved_order_id)::int AS cross_line,
           (SELECT count(*) FROM (SELECT secret_hash FROM card_items WHERE tenant_id = $1 AND product_id = $2
              AND status = 'sold' GROUP BY secret_hash HAVING count(DISTINCT sold_line_id) > 1) d)::int AS twice,
           (SELECT count(*) FROM order_lines l JOIN orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id
             WHERE l.tenant_id = $1 AND l.product_id = $2
               AND l.quantity <> (SELECT count(*) FROM card_items ci WHERE ci.tenant_id = l.tenant_id
                                    AND ci.sold_line_id = l.id AND ci.status = 'sold'))::int AS wrong_lines`,
      [shop.id, productId]
    )
    return {
      ordersInDb: before.orders,
      itemsHeld: before.items,
      quantityOrdered: before.qty,
      oversold: Math.max(0, before.qty - FLASH_KEYS, before.items - FLASH_KEYS),
      ordersWithWrongItemCount: before.wrong,
      itemsOnTwoOrders: before.twice,
      paidDelivered: delivered,
      soldItems: sold.sold,
      doubleSold: sold.cross_line + sold.twice,
      linesWithWrongSoldCount: sold.wrong_lines,
    }
  } finally {
    await client.end()
  }
}

/* ------------------------------------------------------------------ wrk rounds */

type Page = 'trivial' | 'product' | 'product-100k' | 'checkout'
interface HttpRound extends WrkResult {
  page: Page
  round: number
  ordersCreated?: number
}

async function countOrders(shopId: number, productId: number) {
  const client = superClient()
  await client.connect()
  try {
    const { rows } = await client.query(
      'SELECT count(*)::int AS n FROM orders WHERE tenant_id = $1 AND product_id = $2',
      [shopId, productId]
    )
    return rows[0].n as number
  } finally {
    await client.end()
  }
}

async function httpRounds(
  port: number,
  serverPid: number,
  shop: TenantRef,
  productId: number,
  smallProductId: number,
  dir: string
) {
  // One buyer session for the checkout rounds: the page's cookie and _csrf, reused.
  const page = await send(port, { path: `/p/${productId}`, host: SHOP_HOST })
  const token = csrfToken(page.body)
  if (page.status !== 200 || !token) throw new Error(`product page ${page.status}, no _csrf`)
  const jar = mergeCookies(new Map(), page.setCookie)
  const script = join(dir, 'checkout.lua')
  const body = new URLSearchParams({
    _csrf: token,
    quantity: '1',
    contactEmail: 'wrk-buyer@example.test',
  }).toString()
  writeFileSync(
    script,
    checkoutWrkScript({
      path: `/p/${productId}/checkout`,
      host: SHOP_HOST,
      cookie: cookieHeader(jar),
      body,
    })
  )
  // The script's request must be a real checkout: one by hand first.
  const probe = await send(port, {
    method: 'POST',
    path: `/p/${productId}/checkout`,
    host: SHOP_HOST,
    headers: { 'Cookie': cookieHeader(jar), 'X-Forwarded-For': '10.99.0.1' },
    body,
  })
  if (probe.status !== 302 || !/^\/orders\//.test(probe.location ?? '')) {
    throw new Error(`checkout probe: ${probe.status} → ${probe.location}`)
  }

  const base = `http://127.0.0.1:${port}`
  const run = (p: Page, seconds: number) =>
    runWrk({
      url:
        p === 'trivial'
          ? `${base}/__bench/page`
          : `${base}/p/${p === 'product' ? smallProductId : productId}`,
      threads: THREADS,
      connections: CONNECTIONS,
      seconds,
      headers:
        p === 'trivial'
          ? [`Host: ${PLATFORM_DOMAIN}`, 'Accept-Language: en']
          : [`Host: ${SHOP_HOST}`, 'Accept-Language: en'],
      script: p === 'checkout' ? script : undefined,
      serverPid,
    })
  const pages: Page[] = ['trivial', 'product', 'product-100k', 'checkout']
  log(`wrk warm-up: ${WARMUP} s per page`)
  for (const p of pages) run(p, WARMUP)
  const results: HttpRound[] = []
  for (let round = 1; round <= HTTP_ROUNDS; round++) {
    for (const p of pages) {
      const before = p === 'checkout' ? await countOrders(shop.id, productId) : 0
      const r: HttpRound = { ...run(p, DURATION), page: p, round }
      if (p === 'checkout') r.ordersCreated = (await countOrders(shop.id, productId)) - before
      log(
        `round ${round} ${p.padEnd(8)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  ` +
          `errors ${r.non2xx3xx}/${r.socketErrors}${r.ordersCreated !== undefined ? `  orders +${r.ordersCreated}` : ''}`
      )
      if (r.non2xx3xx || r.socketErrors) {
        throw new Error(
          `${p} round ${round}: ${r.non2xx3xx} 4xx/5xx, ${r.socketErrors} socket errors`
        )
      }
      // wrk counts completed responses; an order whose answer was cut off at the end still exists.
      if (r.ordersCreated !== undefined && r.ordersCreated < r.requests) {
        throw new Error(`checkout: ${r.requests} answers but ${r.ordersCreated} orders`)
      }
      results.push(r)
    }
  }
  return results
}

/* ------------------------------------------------------------------ paid → delivered */

/**
 * Round trips to PostgreSQL from this process: every query of Lucid (knex → pg) and of the
 * raw baseline goes through `pg.Client#query`. Counted, not changed.
 */
let pgQueries = 0
const clientQuery = pg.Client.prototype.query
pg.Client.prototype.query = function (this: pg.Client, ...args: any[]) {
  pgQueries++
  return (clientQuery as any).apply(this, args)
} as typeof clientQuery

interface PendingOrder {
  orderNo: string
  orderId: number
  amountMinor: bigint
}

async function pendingOrders(shop: TenantRef, productId: number, count: number) {
  const { createOrder } = await import('#delivery')
  const orders: PendingOrder[] = []
  await pool(
    Array.from({ length: count }, (_, i) => i),
    8,
    async (i) => {
      const created = await createOrder({
        tenant: shop,
        productId,
        quantity: 1,
        contactEmail: `payer${i}@example.test`,
      })
      orders.push({
        orderNo: created.order.orderNo,
        orderId: created.order.id,
        amountMinor: created.order.amountMinor,
      })
    }
  )
  return orders
}

/**
 * The raw-SQL baseline: the rows confirmPayment changes for a paid card order, written with
 * `pg` as the superuser (no RLS, no Lucid, no tenant context), one transaction per order,
 * the obvious statements a hand-written handler would send:
 * lock the order; payment; items → sold + delivery; order → delivered; two order events;
 * ledger (lock head, transaction + 4 entries, 2 balances, head, settlement lot); audit row + head.
 */
class RawPayment {
  #pool: pg.Pool
  #accounts = new Map<string, number>()
  #ledgerHead = 0
  constructor(private shop: TenantRef) {
    const url = new URL(SUPERUSER_URL)
    url.pathname = `/${DATABASE}`
    this.#pool = new pg.Pool({ connectionString: url.toString(), max: PAY_WORKERS })
  }

  /** Account and head ids (a real handler would cache them too). */
  async init() {
    const { rows } = await this.#pool.query(
      `SELECT id, type, subject FROM ledger_accounts WHERE tenant_id = $1`,
      [this.shop.id]
    )
    for (const r of rows) this.#accounts.set(`${r.type}:${r.subject}`, Number(r.id))
    const head = await this.#pool.query(`SELECT id FROM ledger_heads WHERE tenant_id = $1`, [
      this.shop.id,
    ])
    this.#ledgerHead = Number(head.rows[0].id)
    for (const k of ['external_world:', 'gateway_clearing:epay', 'tenant_pending:']) {
      if (!this.#accounts.has(k)) throw new Error(`raw baseline: no ledger account ${k}`)
    }
  }

  async pay(o: PendingOrder, txn: string) {
    const c = await this.#pool.connect()
    const t = this.shop.id
    const paidAt = new Date()
    try {
      await c.query('BEGIN')
      const { rows: ords } = await c.query(
        `SELECT id, order_no, status, amount_minor, currency FROM orders
          WHERE tenant_id = $1 AND order_no = $2 FOR UPDATE`,
        [t, o.orderNo]
      )
      const ord = ords[0]
      if (!ord || ord.status !== 'pending' || BigInt(ord.amount_minor) !== o.amountMinor) {
        throw new Error(`raw baseline: order ${o.orderNo} not payable`)
      }
      await c.query(
        `INSERT INTO payments (tenant_id, order_id, gateway, provider_txn_id, amount_minor, currency, outcome, paid_at)
         VALUES ($1, $2, 'epay', $3, $4, $5, 'applied', $6)`,
        [t, ord.id, txn, ord.amount_minor, ord.currency, paidAt]
      )
      const { rows: dl } = await c.query(
        `WITH l AS (SELECT id, quantity FROM order_lines WHERE tenant_id = $1 AND order_id = $2),
              s AS (UPDATE card_items ci SET status = 'sold', sold_line_id = l.id, sold_at = now()
                      FROM l WHERE ci.tenant_id = $1 AND ci.reserved_order_id = $2 AND ci.status = 'reserved'
                    RETURNING ci.id, l.id AS line_id, l.quantity)
         INSERT INTO deliveries (tenant_id, order_id, line_id, kind, item_count, delivered_at)
         SELECT $1, $2, line_id, 'card', count(*), now() FROM s GROUP BY line_id, quantity
         RETURNING item_count`,
        [t, ord.id]
      )
      if (dl.length !== 1 || dl[0].item_count !== 1) throw new Error('raw baseline: items')
      await c.query(
        `UPDATE orders SET status = 'delivered', paid_at = $3, delivered_at = now(),
                reserved_until = NULL, updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [t, ord.id, paidAt]
      )
      const payment = JSON.stringify({
        gateway: 'epay',
        providerTxnId: txn,
        amountMinor: ord.amount_minor,
        currency: ord.currency,
      })
      await c.query(
        `INSERT INTO order_events (tenant_id, order_id, kind, data)
         VALUES ($1, $2, 'paid', $3), ($1, $2, 'delivered', '{"items":1}')`,
        [t, ord.id, payment]
      )
      // Ledger: lock the chain head, then transaction, entries, balances, head, lot.
      const { rows: heads } = await c.query(
        `SELECT last_seq, last_hash FROM ledger_heads WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
        [t, this.#ledgerHead]
      )
      const seq = Number(heads[0].last_seq) + 1
      const key = `order:${ord.order_no}:paid`
      const hash = createHash('sha256')
        .update(`${heads[0].last_hash}|${seq}|${key}|${ord.amount_minor}`)
        .digest('hex')
      const amount = BigInt(ord.amount_minor)
      const ew = this.#accounts.get('external_world:')!
      const gc = this.#accounts.get('gateway_clearing:epay')!
      const tp = this.#accounts.get('tenant_pending:')!
      await c.query(
        `WITH tx AS (
           INSERT INTO ledger_transactions (tenant_id, head_id, seq, idempotency_key, fingerprint, kind, memo, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, 'order.paid', $6, $7, $8) RETURNING id),
         e AS (
           INSERT INTO ledger_entries (tenant_id, transaction_id, line, account_id, amount, currency)
           SELECT $1, tx.id, v.line, v.account, v.amount, $9
             FROM tx, unnest($10::int[], $11::bigint[], $12::bigint[]) AS v(line, account, amount)),
         a AS (
           UPDATE ledger_accounts SET balance = balance + d.delta, updated_at = now()
             FROM unnest($13::bigint[], $14::bigint[]) AS d(account, delta)
            WHERE tenant_id = $1 AND id = d.account),
         h AS (
           UPDATE ledger_heads SET last_seq = $3, last_hash = $8, updated_at = now()
            WHERE tenant_id = $1 AND id = $2)
         INSERT INTO settlement_lots (tenant_id, source_kind, source_ref, amount, currency, occurred_at, available_at, revenue_tx_id)
         SELECT $1, 'order', $15, $16, $9, $17, $17::timestamptz + interval '7 days', tx.id FROM tx`,
        [
          t,
          this.#ledgerHead,
          seq,
          key,
          hash,
          JSON.stringify({ order: ord.order_no, gateway: 'epay' }),
          heads[0].last_hash,
          hash,
          ord.currency,
          [1, 2, 3, 4],
          [ew, gc, gc, tp],
          [-amount, amount, -amount, amount].map(String),
          [ew, tp].sort((x, y) => x - y),
          (ew < tp ? [-amount, amount] : [amount, -amount]).map(String),
          ord.order_no,
          ord.amount_minor,
          paidAt,
        ]
      )
      // Audit: lock the shop's audit head, append the row, move the head.
      const { rows: ah } = await c.query(
        `SELECT id, last_seq, last_hash FROM audit_heads WHERE tenant_id = $1 AND chain = 'audit' FOR UPDATE`,
        [t]
      )
      const aseq = Number(ah[0].last_seq) + 1
      const metadata = JSON.stringify({
        result: 'delivered',
        amountMinor: ord.amount_minor,
        currency: ord.currency,
      })
      const ahash = createHash('sha256')
        .update(`${ah[0].last_hash}|${aseq}|order.paid|${ord.order_no}|${metadata}`)
        .digest('hex')
      await c.query(
        `WITH ev AS (
           INSERT INTO audit_events (tenant_id, actor_type, action, target_type, target_id, metadata, seq, prev_hash, hash)
           VALUES ($1, 'system', 'order.paid', 'order', $2, $3, $4, $5, $6))
         UPDATE audit_heads SET last_seq = $4, last_hash = $6 WHERE tenant_id = $1 AND id = $7`,
        [t, ord.order_no, metadata, aseq, ah[0].last_hash, ahash, ah[0].id]
      )
      await c.query('COMMIT')
    } catch (error) {
      await c.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      c.release()
    }
  }

  end() {
    return this.#pool.end()
  }
}

/** Rows a shop has, per table the payment writes (the "same row changes" check). */
async function footprint(client: pg.Client, shopId: number) {
  const { rows } = await client.query(
    `SELECT
      (SELECT count(*) FROM payments WHERE tenant_id = $1)::int AS payments,
      (SELECT count(*) FROM deliveries WHERE tenant_id = $1)::int AS deliveries,
      (SELECT count(*) FROM order_events WHERE tenant_id = $1)::int AS order_events,
      (SELECT count(*) FROM orders WHERE tenant_id = $1 AND status = 'delivered')::int AS delivered_orders,
      (SELECT count(*) FROM card_items WHERE tenant_id = $1 AND status = 'sold')::int AS sold_items,
      (SELECT count(*) FROM ledger_transactions WHERE tenant_id = $1)::int AS ledger_transactions,
      (SELECT count(*) FROM ledger_entries WHERE tenant_id = $1)::int AS ledger_entries,
      (SELECT count(*) FROM settlement_lots WHERE tenant_id = $1)::int AS settlement_lots,
      (SELECT coalesce(max(last_seq), 0) FROM ledger_heads WHERE tenant_id = $1)::int AS ledger_head_seq,
      (SELECT count(*) FROM audit_events WHERE tenant_id = $1)::int AS audit_events,
      (SELECT coalesce(max(last_seq), 0) FROM audit_heads WHERE tenant_id = $1)::int AS audit_head_seq,
      (SELECT coalesce(sum(balance), 0) FROM ledger_accounts WHERE tenant_id = $1 AND type = 'tenant_pending')::text AS pending`,
    [shopId]
  )
  return rows[0] as Record<string, number | string>
}

/**
 * BENCH_CPU_PROFILE=<file>: a V8 CPU profile of this process during round 1 of
 * confirmPayment (open it in Chrome DevTools or speedscope) — where the Node time goes.
 */
const PROFILE = process.env.BENCH_CPU_PROFILE
async function startProfile() {
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(PROFILE!, JSON.stringify(profile))
    session.disconnect()
    log(`CPU profile of confirmPayment round 1 written to ${PROFILE}`)
  }
}

type PayVariant = 'confirmPayment' | 'raw SQL'
interface PayRound {
  variant: PayVariant
  round: number
  orders: number
  seconds: number
  ordersPerSecond: number
  /** CPU time of this Node process (user + system) per order, ms. */
  nodeCpuMsPerOrder: number
  queriesPerOrder: number
}

async function paidToDelivered(userId: number) {
  const { confirmPayment } = await import('#delivery')
  const shop = await loadShop(SHOP)
  const raw = await loadShop(RAW_SHOP)
  const perShop = PAY_ROUNDS * PAY_ORDERS + 20
  const product = await cardProduct(shop, 'Pay bench key', 1_990n)
  const rawProduct = await cardProduct(raw, 'Pay bench key', 1_990n)
  log(
    `paid → delivered: ${perShop} keys per shop, ${PAY_ROUNDS} × ${PAY_ORDERS} pending orders per variant`
  )
  await importKeys(shop, product.id, userId, keyLines(perShop, 'PAY'))
  await importKeys(raw, rawProduct.id, userId, keyLines(perShop, 'RAW'))

  // Warm-up, and the raw shop's ledger accounts and chain heads come into being the real way.
  let txn = 0
  const real = async (o: PendingOrder, tenant: TenantRef) => {
    const r = await confirmPayment({
      tenantId: tenant.id,
      gateway: 'epay',
      providerTxnId: `PAY-${++txn}`,
      orderNo: o.orderNo,
      amountMinor: o.amountMinor,
      currency: tenant.currency,
      paidAt: new Date(),
    })
    if (r.outcome !== 'paid' || r.order.status !== 'delivered') {
      throw new Error(`confirmPayment: ${r.outcome} ${r.order.status}`)
    }
  }
  for (const o of await pendingOrders(shop, product.id, 10)) await real(o, shop)
  for (const o of await pendingOrders(raw, rawProduct.id, 10)) await real(o, raw)
  const rawPay = new RawPayment(raw)
  await rawPay.init()

  const batches: Record<PayVariant, PendingOrder[][]> = { 'confirmPayment': [], 'raw SQL': [] }
  for (let r = 0; r < PAY_ROUNDS; r++) {
    batches.confirmPayment.push(await pendingOrders(shop, product.id, PAY_ORDERS))
    batches['raw SQL'].push(await pendingOrders(raw, rawProduct.id, PAY_ORDERS))
  }

  const client = superClient()
  await client.connect()
  const footprints: Record<PayVariant, Record<string, number | string>[]> = {
    'confirmPayment': [],
    'raw SQL': [],
  }
  const results: PayRound[] = []
  try {
    for (let round = 1; round <= PAY_ROUNDS; round++) {
      const order: PayVariant[] =
        round % 2 ? ['confirmPayment', 'raw SQL'] : ['raw SQL', 'confirmPayment']
      for (const variant of order) {
        const tenant = variant === 'raw SQL' ? raw : shop
        const before = await footprint(client, tenant.id)
        const orders = batches[variant][round - 1]
        const profile =
          PROFILE && round === 1 && variant === 'confirmPayment' ? await startProfile() : null
        const queries = pgQueries
        const cpu = process.cpuUsage()
        const started = performance.now()
        await pool(orders, PAY_WORKERS, (o) =>
          variant === 'raw SQL' ? rawPay.pay(o, `RAW-${++txn}`) : real(o, tenant)
        )
        const seconds = (performance.now() - started) / 1000
        const used = process.cpuUsage(cpu)
        const nodeCpuMsPerOrder = (used.user + used.system) / 1000 / orders.length
        const queriesPerOrder = (pgQueries - queries) / orders.length
        if (profile) await profile()
        const after = await footprint(client, tenant.id)
        if (round === 1) footprints[variant] = [before, after]
        const r = {
          variant,
          round,
          orders: orders.length,
          seconds,
          ordersPerSecond: orders.length / seconds,
          nodeCpuMsPerOrder,
          queriesPerOrder,
        }
        log(
          `round ${round} ${variant.padEnd(14)} ${r.ordersPerSecond.toFixed(0)} orders/s (${orders.length} in ${seconds.toFixed(2)} s), ` +
            `Node CPU ${nodeCpuMsPerOrder.toFixed(2)} ms/order, ${queriesPerOrder.toFixed(1)} queries/order`
        )
        results.push(r)
      }
    }
  } finally {
    await client.end()
    await rawPay.end()
  }
  // Row changes per order in round 1 of each variant.
  const perOrder: Record<string, Record<PayVariant, number>> = {}
  for (const variant of ['confirmPayment', 'raw SQL'] as PayVariant[]) {
    const [before, after] = footprints[variant]
    for (const k of Object.keys(after)) {
      if (k === 'pending') continue
      perOrder[k] ??= { 'confirmPayment': 0, 'raw SQL': 0 }
      perOrder[k][variant] = (Number(after[k]) - Number(before[k])) / PAY_ORDERS
    }
  }
  return { results, perOrder }
}

/* ------------------------------------------------------------------ report */

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const f0 = (n: number) => Math.round(n).toLocaleString('en-US')
const f2 = (n: number) => n.toFixed(2)

function machine(pgVersion: string, wrk: string) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: SOURCE_ROOT,
    encoding: 'utf8',
  })
  const dirty = spawnSync(
    'git',
    ['status', '--porcelain', '--', '.', ':!docs/benchmarks.md', ':!.adonisjs'],
    { cwd: SOURCE_ROOT, encoding: 'utf8' }
  ).stdout.trim()
  return (
    `${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} at ${head.stdout.trim()}${dirty ? ' (plus uncommitted changes)' : ''}: ` +
    `${os.availableParallelism()} vCPU (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
    `Node ${process.version}, PostgreSQL ${pgVersion} on the same machine, ${wrk}; ` +
    `load average at the end ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`
  )
}

const PEERS = {
  product: { 'acg-faka': 200, 'dujiaoka': 162 },
  checkout: { 'acg-faka': 160, 'dujiaoka': 153 },
}

function reportBlock(
  m: string,
  imp: ImportResult,
  flash: FlashResult,
  http: HttpRound[],
  pay: Awaited<ReturnType<typeof paidToDelivered>>
) {
  const med = (p: Page, f: (r: HttpRound) => number) =>
    median(http.filter((r) => r.page === p).map(f))
  const rps = {
    'trivial': med('trivial', (r) => r.rps),
    'product': med('product', (r) => r.rps),
    'product-100k': med('product-100k', (r) => r.rps),
    'checkout': med('checkout', (r) => r.rps),
  }
  const payMed = (v: PayVariant) =>
    median(pay.results.filter((r) => r.variant === v).map((r) => r.ordersPerSecond))
  const real = payMed('confirmPayment')
  const rawMed = payMed('raw SQL')
  const peerRatios = (p: 'product' | 'checkout') =>
    Object.entries(PEERS[p])
      .map(([name, v]) => `${f2(rps[p] / v)}× ${name} (${v})`)
      .join(', ')
  const other = Object.entries(flash.otherAnswers)
    .map(([k, v]) => `${v} × ${k}`)
    .join(', ')
  const lines = [
    MARK_START,
    `Measured ${m}.`,
    '',
    `Mode: ${SERVER_MODE}.`,
    '',
    '| measure | result | bar |',
    '|---|---|---|',
    `| import of ${f0(imp.lines)} keys (\`importProductStock\`, child process) | **${f2(imp.seconds)} s**, peak RSS **${f0(imp.peakRssMb)} MB** (${f0(imp.rssAfterBootMb)} MB after boot), ${f0(imp.added)} added | < 20 s, < 300 MB |`,
    `| flash sale: ${f0(flash.buyers)} buyers, ${f0(flash.keys)} keys, POSTs at once | ${f0(flash.answersPerSecond)} answers/s (${f0(flash.ordersPerSecond)} orders/s), burst ${f2(flash.burstSeconds)} s, p50 ${f0(flash.p50Ms)} ms, p99 ${f0(flash.p99Ms)} ms, max ${f0(flash.maxMs)} ms | |`,
    `| flash sale: answers | ${flash.succeeded} orders, ${flash.soldOutRedirects} sold-out redirects of which **${flash.clearSoldOut} showed the sold-out message**${other ? `, other: ${other}` : ''} | 500 / 1,500 |`,
    `| flash sale: database | ${flash.db.ordersInDb} orders, ${flash.db.itemsHeld} items held, ${flash.db.quantityOrdered} units ordered; **oversold ${flash.db.oversold}**, orders whose items ≠ quantity ${flash.db.ordersWithWrongItemCount}, keys on two orders ${flash.db.itemsOnTwoOrders} | oversold 0 |`,
    `| flash sale: after paying all (\`confirmPayment\`) | ${flash.db.paidDelivered} delivered, ${flash.db.soldItems} keys sold; **double ${flash.db.doubleSold}**, lines whose sold keys ≠ quantity ${flash.db.linesWithWrongSoldCount} | double 0 |`,
    `| paid → delivered, ${PAY_WORKERS} workers (median of ${PAY_ROUNDS}) | confirmPayment **${f0(real)} orders/s**, raw SQL ${f0(rawMed)} orders/s: **ratio ${f2(real / rawMed)}** | ≥ 0.5 |`,
    `| product page (${f0(PAGE_KEYS)} keys in stock), wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s (median of ${HTTP_ROUNDS}) | **${f0(rps.product)} req/s** = ${f2(rps.product / rps.trivial)} of the trivial page; ${peerRatios('product')} | ≥ 10× peers |`,
    `| product page (~${f0(IMPORT_KEYS)} keys in stock), same wrk | ${f0(rps['product-100k'])} req/s = ${f2(rps['product-100k'] / rps.trivial)} of the trivial page | |`,
    `| checkout POST (the ~${f0(IMPORT_KEYS)}-key product), same wrk (median of ${HTTP_ROUNDS}) | **${f0(rps.checkout)} req/s** = ${f2(rps.checkout / rps.trivial)} of the trivial page; ${peerRatios('checkout')} | ≥ 5× peers |`,
    `| trivial page \`/__bench/page\` (platform host), same wrk | ${f0(rps.trivial)} req/s | in-run baseline |`,
    '',
    '| wrk round | page | req/s | p50 ms | p99 ms | server CPU µs/req | orders created |',
    '|---:|---|---:|---:|---:|---:|---:|',
    ...http.map(
      (r) =>
        `| ${r.round} | ${r.page} | ${f0(r.rps)} | ${f2(r.p50Ms)} | ${f2(r.p99Ms)} | ${f0(r.serverCpuUsPerReq)} | ${r.ordersCreated ?? ''} |`
    ),
    '',
    `| paid → delivered round | variant | orders/s | Node CPU ms/order | PostgreSQL round trips/order |`,
    '|---:|---|---:|---:|---:|',
    ...pay.results.map(
      (r) =>
        `| ${r.round} | ${r.variant} | ${f0(r.ordersPerSecond)} | ${f2(r.nodeCpuMsPerOrder)} | ${r.queriesPerOrder.toFixed(1)} |`
    ),
    '',
    'Row changes per paid order (round 1, counted in the database):',
    '',
    '| rows | confirmPayment | raw SQL |',
    '|---|---:|---:|',
    ...Object.entries(pay.perOrder).map(
      ([k, v]) => `| ${k} | ${f2(v.confirmPayment)} | ${f2(v['raw SQL'])} |`
    ),
    MARK_END,
  ]
  return lines.join('\n')
}

function writeDocs(block: string) {
  const path = fileURLToPath(DOCS)
  const text = readFileSync(path, 'utf8')
  const start = text.indexOf(MARK_START)
  const end = text.indexOf(MARK_END)
  if (start === -1 || end === -1) {
    log('docs/benchmarks.md has no Delivery results block; printed only')
    return
  }
  writeFileSync(path, text.slice(0, start) + block + text.slice(end + MARK_END.length))
  log('docs/benchmarks.md updated')
}

/* ------------------------------------------------------------------ main */

/** The run's BullMQ keys (its own QUEUE_PREFIX) out of Redis. */
function dropQueueKeys() {
  const prefix = process.env.QUEUE_PREFIX!
  if (!/^lianka-bench-delivery-[0-9a-f]{8}$/.test(prefix)) return
  const cli = ['-h', process.env.REDIS_HOST!, '-p', process.env.REDIS_PORT!]
  const script = `local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n`
  const out = spawnSync('redis-cli', [...cli, 'EVAL', script, '0', `${prefix}:*`], {
    encoding: 'utf8',
  })
  if (out.status !== 0) log(`could not delete the queue keys ${prefix}:* (${out.stderr.trim()})`)
}

async function main() {
  const wrk = wrkVersion()
  const dir = mkdtempSync(join(os.tmpdir(), 'lianka-bench-delivery-'))
  const port = PORT
  let stopServer = () => {}
  try {
    const { pgVersion, userId, memberId } = await prepareDatabase()
    await bootApp()
    const shop = await loadShop(SHOP)

    // 1. Import, alone on the machine, in its own process (its peak RSS is its own).
    const importProduct = await cardProduct(shop, 'Import bench key', 500n)
    const file = join(dir, 'stock.txt')
    writeFileSync(file, keyLines(IMPORT_KEYS, 'CARD').join('\r\n') + '\r\n')
    log(`import: ${IMPORT_KEYS} keys into card_items through importProductStock (child process)`)
    const child = spawnSync(
      process.execPath,
      [
        ...nodeArgs('benchmarks/delivery'),
        '--child=import',
        String(importProduct.id),
        String(userId),
        String(memberId),
        file,
      ],
      { cwd: ROOT, encoding: 'utf8', env: process.env }
    )
    if (child.status !== 0) throw new Error(`import child failed:\n${child.stdout}${child.stderr}`)
    const imp = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ImportResult
    if (imp.added !== IMPORT_KEYS) throw new Error(`import added ${imp.added} of ${IMPORT_KEYS}`)
    log(`import: ${imp.seconds.toFixed(2)} s, peak RSS ${imp.peakRssMb.toFixed(0)} MB`)

    const flashProduct = await cardProduct(shop, 'Flash sale key', 990n)
    await importKeys(shop, flashProduct.id, userId, keyLines(FLASH_KEYS, 'FLASH'))
    const pageProduct = await cardProduct(shop, 'Game key', 1_500n)
    await importKeys(shop, pageProduct.id, userId, keyLines(PAGE_KEYS, 'PAGE'))
    {
      // What autovacuum does shortly after a large import (visibility map, statistics).
      const c = superClient()
      await c.connect()
      await c.query('VACUUM ANALYZE')
      await c.end()
    }

    // 2-3. HTTP, against the server in its own process.
    log(
      `server: NODE_ENV=development BENCHMARK_ROUTES=true LOG_LEVEL=warn on 127.0.0.1:${port}; ${SERVER_MODE}`
    )
    const restoreGenerated = keepGeneratedRoutes()
    const server = startServer(port)
    stopServer = () => {
      if (server.child.exitCode === null) server.child.kill('SIGTERM')
      restoreGenerated()
    }
    process.on('exit', stopServer)
    await waitForServer(port, server.child, server.output)
    restoreGenerated()

    const sale = await flashSale(port, flashProduct.id)
    log(
      `flash sale: ${sale.succeeded} orders, ${sale.soldOutRedirects} sold out (${sale.clearSoldOut} clear), ` +
        `${sale.answersPerSecond.toFixed(0)} answers/s, p50 ${sale.p50Ms.toFixed(0)} ms, p99 ${sale.p99Ms.toFixed(0)} ms`
    )
    const http = await httpRounds(
      port,
      server.child.pid!,
      shop,
      importProduct.id,
      pageProduct.id,
      dir
    )
    stopServer()

    const db = await checkFlash(shop, flashProduct.id)
    const flash: FlashResult = { ...sale, db }
    log(`flash sale database: ${JSON.stringify(db)}`)

    // 4. paid → delivered, in-process.
    const pay = await paidToDelivered(userId)

    const block = reportBlock(machine(pgVersion, wrk), imp, flash, http, pay)
    process.stdout.write(`\n${block.split('\n').slice(1, -1).join('\n')}\n\n`)
    if (WRITE_DOCS) writeDocs(block)
    const { default: dbService } = await import('@adonisjs/lucid/services/db')
    await dbService.manager.closeAll()
  } finally {
    stopServer()
    dropQueueKeys()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * BENCH_APP_ROOT: hand the whole run to the compiled copy of this script in that build, so
 * that nothing measured goes through the ts-exec loader.
 */
function runCompiled(appRoot: string) {
  const script = resolvePath(appRoot, 'benchmarks/delivery.js')
  if (!existsSync(script) || !existsSync(resolvePath(appRoot, 'node_modules'))) {
    throw new Error(
      `BENCH_APP_ROOT=${appRoot}: no compiled benchmarks/delivery.js or node_modules there; ` +
        'run `node ace build && ln -s ../node_modules build/node_modules` first'
    )
  }
  const out = spawnSync(process.execPath, [script], {
    cwd: appRoot,
    stdio: 'inherit',
    env: { ...process.env, BENCH_APP_ROOT: '', BENCH_SOURCE_ROOT: ROOT },
  })
  process.exit(out.status ?? 1)
}

const childArg = process.argv.find((a) => a.startsWith('--child='))
if (!COMPILED && !isChild && process.env.BENCH_APP_ROOT) {
  runCompiled(resolvePath(ROOT, process.env.BENCH_APP_ROOT))
} else if (childArg === '--child=import') {
  const [productId, userId, memberId, file] = process.argv.slice(-4)
  await importChild(Number(productId), Number(userId), Number(memberId), file)
} else {
  main()
    .then(() => process.exit(process.exitCode ?? 0))
    .catch((error) => {
      process.stderr.write(`[bench:delivery] ${error instanceof Error ? error.stack : error}\n`)
      process.exit(1)
    })
}
