/**
 * `npm run bench:payments` — what the payments engine's callback pipeline costs a paid
 * order, measured in one run on one database:
 *
 *   (a) end to end: a signed gateway callback over HTTP (keep-alive, BENCH_CONCURRENCY in
 *       flight) → the route (tenant resolver, body parser with raw body, rate limit) → the
 *       raw callback stored → the test gateway plugin verifies its HMAC-SHA256 signature →
 *       trade number, gateway reference, amount and currency checked → confirmPayment (one
 *       card key sold, delivery, ledger, audit) → attempt updated → outcome stored → the
 *       gateway's acknowledgement. Counted when the HTTP reply is in; every order is then
 *       checked `delivered`.
 *   (b) confirmPayment alone (in-process, BENCH_CONCURRENCY workers) for the same kind of
 *       order: the floor the pipeline is compared with;
 *   (c) handleCallback called in-process with the same signed bodies (the pipeline without
 *       HTTP, router and middleware), to split the gap between the two.
 *
 * Rounds interleave (a), (b) and (c) after an uncounted warm-up round; the ratio is median (a) / median (b). The HTTP server
 * runs in this process (one Node process, like production's web process; the load
 * generator shares it, so (a) also pays for building and signing the requests). Orders,
 * attempts (through `startPayment` and a local fake gateway) and keys are prepared before
 * each measurement, never during one.
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_ORDERS (400 per round and variant),
 * BENCH_CONCURRENCY (8), BENCH_DATABASE (lianka_bench_payments), BENCH_PORT (3371),
 * DB_SUPERUSER_URL. Prints the results (the lead copies them into docs/benchmarks.md).
 */
import 'reflect-metadata'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import os from 'node:os'
import { Ignitor } from '@adonisjs/core'
import { APP_ROOT, ROOT, appImporter, benchDatabase, benchEnvironment } from './support.js'

const num = (name: string, fallback: number) => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}
const ROUNDS = num('BENCH_ROUNDS', 3)
const ORDERS = num('BENCH_ORDERS', 400)
const CONCURRENCY = num('BENCH_CONCURRENCY', 8)
const PORT = num('BENCH_PORT', 3371)
const DATABASE = process.env.BENCH_DATABASE || 'lianka_bench_payments'
const SHOP = 'bench-pay'
const GATEWAY_KEY = 'bench-gateway-signing-key-0123'

function log(message: string) {
  process.stdout.write(`[bench:payments] ${message}\n`)
}

/* ------------------------------------------------------------------ environment */

benchEnvironment({
  database: DATABASE,
  port: PORT,
  poolMax: CONCURRENCY + 4,
  logLevel: 'error',
  extra: {
    // Delivery mails are queued as in production (BullMQ in Redis, a prefix of this run's
    // own, deleted at the end); no worker runs here.
    QUEUE_DRIVER: 'bullmq',
    QUEUE_PREFIX: `lianka-bench-payments-${randomBytes(4).toString('hex')}`,
  },
})

/* ------------------------------------------------------------------ database */

const { pgVersion, userId } = await benchDatabase({
  database: DATABASE,
  slug: SHOP,
  shopName: 'Bench Payments',
  ownerEmail: 'owner@bench-pay.test',
  log,
})

/* ------------------------------------------------------------------ boot (web) */

const ignitor = new Ignitor(APP_ROOT, { importer: appImporter }).tap((a) =>
  a.booting(async () => void (await import('#start/env')))
)
await ignitor.httpServer().start()
log(`HTTP server on 127.0.0.1:${PORT} (this process)`)

const { default: db } = await import('@adonisjs/lucid/services/db')
const { withTenant, runAsTenant } = await import('#tenancy')
const { createCategory, createProduct, createOrder, confirmPayment } = await import('#delivery')
const { importProductStock } = await import('#actions/merchant/stock/import_product_stock')
const { syncFirstPartyPlugins, installPlugin, savePluginSettings, setPluginEnabled } =
  await import('#plugin_host')
const { hooks } = await import('#plugin_host/runtime')
const { startPayment, handleCallback } = await import('#payments')
const {
  default: testGateway,
  sign,
  SIGNATURE_HEADER,
} = await import('#tests/fixtures/plugins/test-gateway/plugin')
const { fakeGateway } = await import('#tests/fixtures/plugins/test-gateway/server')
type TenantRef = import('#tenancy').TenantRef

const row = await db.connection('app').from('tenants').where('slug', SHOP).firstOrFail()
const shop: TenantRef = {
  id: Number(row.id),
  slug: row.slug,
  name: row.name,
  status: row.status,
  defaultLocale: row.default_locale,
  currency: row.currency,
}

/* ------------------------------------------------------------------ gateway and stock */

const gateway = fakeGateway(GATEWAY_KEY)
const endpoint = await gateway.start()
hooks.register(testGateway)
await syncFirstPartyPlugins([testGateway])
const actor = { tenant: shop, userId }
await installPlugin({
  ...actor,
  pluginId: 'test-gateway',
  version: '1.0.0',
  consent: ['payments:process', 'network:outbound'],
})
await savePluginSettings({
  ...actor,
  pluginId: 'test-gateway',
  values: { endpoint, key: GATEWAY_KEY, mode: 'redirect' },
})
await setPluginEnabled({ ...actor, pluginId: 'test-gateway', enabled: true })

const product = await withTenant(async (trx) => {
  const category = await createCategory(trx, { tenantId: shop.id, name: 'Bench keys' })
  return createProduct(trx, {
    tenantId: shop.id,
    categoryId: category.id,
    name: 'Bench key',
    type: 'card',
    priceMinor: 1999n,
    currency: shop.currency,
    status: 'active',
  })
}, shop)
const KEYS = ORDERS * 3 * (ROUNDS + 1) + 10
const lines = Array.from(
  { length: KEYS },
  (_, i) =>
    `PK-${i.toString().padStart(8, '0')}-${randomBytes(10).toString('hex')}----${randomBytes(6).toString('hex')}`
)
const imported = await runAsTenant(shop, () =>
  importProductStock({
    member: { id: 0, userId, role: 'owner' },
    productId: product.id,
    format: 'card_password',
    text: lines.join('\n'),
    filePath: null,
    ip: '127.0.0.1',
  })
)
log(`${imported.added} keys imported`)

/* ------------------------------------------------------------------ helpers */

const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

async function newOrders(n: number) {
  const out: { id: number; orderNo: string; amountMinor: bigint }[] = []
  for (let i = 0; i < n; i++) {
    const { order } = await createOrder({
      tenant: shop,
      productId: product.id,
      quantity: 1,
      contactEmail: 'bench@example.test',
    })
    out.push({ id: order.id, orderNo: order.orderNo, amountMinor: order.amountMinor })
  }
  return out
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
/**
 * Each callback from its own address (a trusted loopback proxy forwards it): the
 * per-address callback limit (600/min) protects shops from floods; the benchmark measures
 * the pipeline, not the limiter.
 */
let sender = 0
function nextSender() {
  sender++
  return `10.${(sender >> 16) & 255}.${(sender >> 8) & 255}.${sender & 255}`
}

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: PORT,
        method: 'POST',
        path: '/pay/callback/test-gateway',
        agent,
        headers: {
          'host': `${SHOP}.localhost`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-forwarded-for': nextSender(),
          [SIGNATURE_HEADER]: sign(GATEWAY_KEY, body),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** Run `jobs` with CONCURRENCY workers; per-job latencies (ms) and the wall time (s). */
async function drive(jobs: (() => Promise<void>)[]) {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]
        const t = performance.now()
        await job()
        latencies.push(performance.now() - t)
      }
    })
  )
  return { seconds: (performance.now() - started) / 1000, latencies }
}

async function deliveredCount(ids: number[]) {
  const { rows } = await withTenant(
    (trx) =>
      trx.rawQuery(
        `SELECT count(*)::int AS n FROM orders WHERE tenant_id = ? AND status = 'delivered' AND id = ANY(?)`,
        [shop.id, ids]
      ),
    shop
  )
  return Number(rows[0].n)
}

/** ORDERS pending orders with a started attempt each, paid at the fake gateway. */
async function paidAttempts() {
  const orders = await newOrders(ORDERS)
  const bodies: string[] = []
  for (const o of orders) {
    await startPayment(shop, {
      purpose: 'order',
      targetId: o.id,
      pluginId: 'test-gateway',
      returnUrl: `http://${SHOP}.localhost:${PORT}/`,
    })
    const fake = gateway.latest(o.orderNo)!
    bodies.push(gateway.callbackBody(gateway.markPaid(fake.ref, `BTX-${++txn}`)))
  }
  return { orders, bodies }
}

/* ------------------------------------------------------------------ rounds */

const pipeline: { rate: number; p50: number; p99: number }[] = []
const floor: { rate: number; p50: number; p99: number }[] = []
const direct: { rate: number; p50: number; p99: number }[] = []
let txn = 0

for (let round = 0; round <= ROUNDS; round++) {
  // Round 0 warms up (JIT, pools, caches) and is not counted.
  // (a) prepared: orders with a started attempt each, the gateway marks them paid.
  const { orders: a, bodies } = await paidAttempts()
  const resA = await drive(
    bodies.map((body) => async () => {
      const reply = await post(body)
      if (reply.status !== 200 || reply.text !== 'OK') {
        throw new Error(`callback answered ${reply.status} ${reply.text}`)
      }
    })
  )
  const okA = await deliveredCount(a.map((o) => o.id))
  if (okA !== a.length) throw new Error(`pipeline: ${okA}/${a.length} delivered`)
  const keepA = round > 0
  if (keepA)
    pipeline.push({
      rate: a.length / resA.seconds,
      p50: quantile(resA.latencies, 0.5),
      p99: quantile(resA.latencies, 0.99),
    })

  // (b) the same kind of order confirmed directly.
  const b = await newOrders(ORDERS)
  const resB = await drive(
    b.map((o) => async () => {
      await confirmPayment(
        {
          tenantId: shop.id,
          gateway: 'testpay',
          providerTxnId: `BTX-${++txn}`,
          orderNo: o.orderNo,
          amountMinor: o.amountMinor,
          currency: shop.currency,
          paidAt: new Date(),
        },
        { tenant: shop }
      )
    })
  )
  const okB = await deliveredCount(b.map((o) => o.id))
  if (okB !== b.length) throw new Error(`confirmPayment: ${okB}/${b.length} delivered`)
  // (c) the pipeline called in-process (no HTTP, no router, no middleware).
  const c = await paidAttempts()
  const resC = await drive(
    c.bodies.map((body) => async () => {
      const reply = await handleCallback(shop, 'test-gateway', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: sign(GATEWAY_KEY, body),
        },
        query: {},
        rawBody: Buffer.from(body),
      })
      if (reply.status !== 200) throw new Error(`handleCallback answered ${reply.status}`)
    })
  )
  const okC = await deliveredCount(c.orders.map((o) => o.id))
  if (okC !== c.orders.length) throw new Error(`handleCallback: ${okC}/${c.orders.length}`)
  if (round === 0) {
    log(
      `warm-up: ${fmt(a.length / resA.seconds)}/s, ${fmt(b.length / resB.seconds)}/s, ${fmt(c.orders.length / resC.seconds)}/s (not counted)`
    )
    continue
  }
  direct.push({
    rate: c.orders.length / resC.seconds,
    p50: quantile(resC.latencies, 0.5),
    p99: quantile(resC.latencies, 0.99),
  })
  floor.push({
    rate: b.length / resB.seconds,
    p50: quantile(resB.latencies, 0.5),
    p99: quantile(resB.latencies, 0.99),
  })
  log(
    `round ${round}: HTTP pipeline ${fmt(pipeline.at(-1)!.rate)}/s, confirmPayment ${fmt(floor.at(-1)!.rate)}/s, handleCallback ${fmt(direct.at(-1)!.rate)}/s`
  )
}

/* ------------------------------------------------------------------ report */

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const nodeVersion = process.version
const wrk = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' })
const medA = median(pipeline.map((r) => r.rate))
const medB = median(floor.map((r) => r.rate))
const ms = (x: number) => x.toFixed(1)
const report = [
  `Payments: verified callbacks end to end vs confirmPayment alone (${new Date().toISOString().slice(0, 10)}, commit ${wrk.stdout.trim() || '?'})`,
  `machine: ${os.cpus().length} × ${cpu}, Node ${nodeVersion}, PostgreSQL ${pgVersion}; ${ROUNDS} rounds × ${ORDERS} orders per variant, ${CONCURRENCY} in flight`,
  '',
  '| variant | paid → delivered per s (median of rounds) | p50 ms | p99 ms | rounds (per s) |',
  '| --- | ---: | ---: | ---: | --- |',
  `| callback over HTTP → pipeline → delivered | ${fmt(medA)} | ${ms(median(pipeline.map((r) => r.p50)))} | ${ms(median(pipeline.map((r) => r.p99)))} | ${pipeline.map((r) => fmt(r.rate)).join(', ')} |`,
  `| confirmPayment alone (in-process) | ${fmt(medB)} | ${ms(median(floor.map((r) => r.p50)))} | ${ms(median(floor.map((r) => r.p99)))} | ${floor.map((r) => fmt(r.rate)).join(', ')} |`,
  `| handleCallback alone (in-process, no HTTP) | ${fmt(median(direct.map((r) => r.rate)))} | ${ms(median(direct.map((r) => r.p50)))} | ${ms(median(direct.map((r) => r.p99)))} | ${direct.map((r) => fmt(r.rate)).join(', ')} |`,
  '',
  `ratio (callback over HTTP / confirmPayment): **${(medA / medB).toFixed(2)}**; in-process pipeline / confirmPayment: ${(median(direct.map((r) => r.rate)) / medB).toFixed(2)}`,
].join('\n')
process.stdout.write(`\n${report}\n`)

agent.destroy()
await gateway.stop()
{
  const prefix = process.env.QUEUE_PREFIX!
  if (/^lianka-bench-payments-[0-9a-f]{8}$/.test(prefix)) {
    const script = `local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n`
    spawnSync(
      'redis-cli',
      [
        '-h',
        process.env.REDIS_HOST!,
        '-p',
        process.env.REDIS_PORT!,
        'EVAL',
        script,
        '0',
        `${prefix}:*`,
      ],
      { encoding: 'utf8' }
    )
  }
}
await ignitor.terminate()
process.exit(0)
