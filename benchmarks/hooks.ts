/**
 * `npm run bench:hooks` — what `checkout.validate` plugins cost a checkout, measured in one
 * run on one database (docs/benchmarks.md, "Plugin hooks", explains the method):
 *
 *   1. `createOrder` (quantity 1, card product with BENCH_KEYS keys imported through the
 *      merchant's import action) from BENCH_WORKERS workers, rounds interleaved:
 *      (a) no plugin registered in the hook bus (`hooks.handles` is false: no query, no call),
 *      (b) 5 realistic filter plugins registered and enabled for the shop (installed,
 *          settings saved — one of them with a secret setting — and enabled through the real
 *          plugin-host actions), each passing. Orders/s, p50/p99 per checkout.
 *   2. `hooks.applyFilter('checkout.validate', …)` with the 5 filters, BENCH_FILTER_CALLS calls
 *      one after the other: p50/p99 per call and per filter (÷ 5). Then `enabledPluginsFor`
 *      (the per-checkout DB load + secret decryption + settings re-validation) alone, inside
 *      a tenant transaction, and its CPU part `validateSettings` of the 5 schemas alone.
 *
 * Knobs (environment): BENCH_ROUNDS (5), BENCH_DURATION (6, seconds per variant and round),
 * BENCH_WORKERS (4), BENCH_KEYS (50000), BENCH_FILTER_CALLS (20000), BENCH_LOAD_CALLS (2000),
 * BENCH_DATABASE (lianka_bench_hooks), BENCH_WRITE_DOCS (1; 0 = print only), DB_SUPERUSER_URL.
 */
import 'reflect-metadata'
import { spawnSync } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { Ignitor } from '@adonisjs/core'
import { APP_ROOT, ROOT, appImporter, benchDatabase, benchEnvironment } from './support.js'

const DOCS = new URL('../docs/benchmarks.md', import.meta.url)

const num = (name: string, fallback: number) => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}
const ROUNDS = num('BENCH_ROUNDS', 5)
const DURATION = num('BENCH_DURATION', 6)
const WORKERS = num('BENCH_WORKERS', 4)
const KEYS = num('BENCH_KEYS', 50_000)
const FILTER_CALLS = num('BENCH_FILTER_CALLS', 20_000)
const LOAD_CALLS = num('BENCH_LOAD_CALLS', 2000)
const WRITE_DOCS = process.env.BENCH_WRITE_DOCS !== '0'
const DATABASE = process.env.BENCH_DATABASE || 'lianka_bench_hooks'
const SHOP = 'bench-hooks'
const MARK_START = '<!-- bench:hooks:results:start (written by benchmarks/hooks.ts) -->'
const MARK_END = '<!-- bench:hooks:results:end -->'

function log(message: string) {
  process.stdout.write(`[bench:hooks] ${message}\n`)
}

/* ------------------------------------------------------------------ environment */

// Set before the app boots; process.env wins over .env files in AdonisJS.
// No plugin folder is loaded here (bootPlugins is not called): the bus holds only ours.
benchEnvironment({
  database: DATABASE,
  port: Number(process.env.PORT || 3370),
  poolMax: WORKERS + 2,
  logLevel: 'warn',
})

/* ------------------------------------------------------------------ database */

const { pgVersion, userId } = await benchDatabase({
  database: DATABASE,
  slug: SHOP,
  shopName: 'Bench Hooks',
  ownerEmail: 'owner@bench.test',
  log,
})

const ignitor = new Ignitor(APP_ROOT, { importer: appImporter })
  .tap((a) => a.booting(async () => void (await import('#start/env'))))
  .createApp('console')
await ignitor.init()
await ignitor.boot()

const { default: db } = await import('@adonisjs/lucid/services/db')
const { withTenant, runAsTenant } = await import('#tenancy')
const { createCategory, createProduct, createOrder } = await import('#delivery')
const { importProductStock } = await import('#actions/merchant/stock/import_product_stock')
const {
  assertValidPlugin,
  syncFirstPartyPlugins,
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  enabledPluginsFor,
  schemaOf,
  manifestSummary,
} = await import('#plugin_host')
const { hooks } = await import('#plugin_host/runtime')
const { definePlugin, PluginVeto, setting } = await import('#plugin_sdk')
const { validateSettings } = await import('#plugin_host/sdk/settings')
type TenantRef = import('#tenancy').TenantRef
type Plugin = import('#plugin_sdk').Plugin

const row = await db.connection('app').from('tenants').where('slug', SHOP).firstOrFail()
const shop: TenantRef = {
  id: Number(row.id),
  slug: row.slug,
  name: row.name,
  status: row.status,
  defaultLocale: row.default_locale,
  currency: row.currency,
}

/* ------------------------------------------------------------------ product and stock */

const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
log(`card product and ${fmt(KEYS)} keys through importProductStock`)
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
    stockDisplay: 'exact',
  })
}, shop)
let imported = 0
let batch = 0
/** KEYS more keys through the merchant's import action (pasted text). */
async function importKeys() {
  batch++
  const lines: string[] = []
  for (let i = 0; i < KEYS; i++) {
    lines.push(
      `HK${batch}-${i.toString().padStart(8, '0')}-${randomBytes(12).toString('hex')}----${randomBytes(6).toString('hex')}`
    )
  }
  const started = performance.now()
  const report = await runAsTenant(shop, () =>
    importProductStock({
      member: { id: 0, userId, role: 'owner' },
      productId: product.id,
      format: 'card_password',
      text: lines.join('\n'),
      filePath: null,
      ip: '127.0.0.1',
    })
  )
  if (report.added !== KEYS) throw new Error(`import added ${report.added}, expected ${KEYS}`)
  imported += KEYS
  log(`imported ${fmt(KEYS)} keys in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
/** Between measurements (never during one): keep at least half a batch available. */
async function keepStock() {
  const { rows } = await withTenant(
    (trx) =>
      trx.rawQuery(
        `SELECT count(*)::int AS n FROM card_items WHERE tenant_id = ? AND product_id = ? AND status = 'available'`,
        [shop.id, product.id]
      ),
    shop
  )
  if (rows[0].n < KEYS / 2) await importKeys()
}
await importKeys()

/* ------------------------------------------------------------------ the 5 plugins */

/**
 * Five first-party-style `checkout.validate` filters a shop could realistically enable.
 * Each reads its settings, checks the draft and returns it unchanged (all pass here).
 */
const plugins: Plugin[] = [
  definePlugin({
    id: 'bench-quantity-cap',
    name: 'Quantity cap',
    version: '1.0.0',
    engine: '^1.0.0',
    permissions: ['checkout:validate'],
    settings: {
      max: setting.integer({ label: 'Max per order', min: 1, max: 100, required: true }),
    },
    hooks: {
      'checkout.validate': (draft, ctx) => {
        if (draft.quantity > Number(ctx.settings.max)) {
          throw new PluginVeto('E_CAP', `At most ${ctx.settings.max} per order.`)
        }
        return draft
      },
    },
  }),
  definePlugin({
    id: 'bench-email-blocklist',
    name: 'Email domain block list',
    version: '1.0.0',
    engine: '^1.0.0',
    permissions: ['checkout:validate'],
    settings: {
      domains: setting.string({ label: 'Blocked domains (comma-separated)', maxLength: 2000 }),
    },
    hooks: {
      'checkout.validate': (draft, ctx) => {
        const domain = draft.contactEmail.split('@').pop()!.toLowerCase()
        const blocked = String(ctx.settings.domains ?? '')
          .split(',')
          .map((d) => d.trim().toLowerCase())
          .filter(Boolean)
        if (blocked.includes(domain)) {
          throw new PluginVeto('E_DOMAIN', 'Please use another email address.')
        }
        return draft
      },
    },
  }),
  definePlugin({
    id: 'bench-amount-ceiling',
    name: 'Amount ceiling',
    version: '1.0.0',
    engine: '^1.0.0',
    permissions: ['checkout:validate'],
    settings: {
      maxMinor: setting.integer({
        label: 'Max order amount (minor units)',
        min: 1,
        required: true,
      }),
      currency: setting.select({ label: 'Currency', options: ['CNY', 'USD'], required: true }),
    },
    hooks: {
      'checkout.validate': (draft, ctx) => {
        if (
          draft.currency === ctx.settings.currency &&
          draft.amountMinor > BigInt(Number(ctx.settings.maxMinor))
        ) {
          throw new PluginVeto('E_CEILING', 'This order is above the shop limit.')
        }
        return draft
      },
    },
  }),
  definePlugin({
    id: 'bench-signed-in-only',
    name: 'Signed-in buyers for large orders',
    version: '1.0.0',
    engine: '^1.0.0',
    permissions: ['checkout:validate'],
    settings: {
      enabled: setting.boolean({ label: 'Require sign-in' }),
      fromQuantity: setting.integer({ label: 'From quantity', min: 1, required: true }),
    },
    hooks: {
      'checkout.validate': (draft, ctx) => {
        if (
          ctx.settings.enabled &&
          draft.buyerId === null &&
          draft.quantity >= Number(ctx.settings.fromQuantity)
        ) {
          throw new PluginVeto('E_SIGN_IN', 'Please sign in for orders this large.')
        }
        return draft
      },
    },
  }),
  definePlugin({
    id: 'bench-risk-score',
    name: 'Risk score (local)',
    version: '1.0.0',
    engine: '^1.0.0',
    permissions: ['checkout:validate'],
    settings: {
      // A secret setting: stored encrypted with the shop's data key, decrypted on each load.
      salt: setting.secret({ label: 'Scoring key', minLength: 16, required: true }),
      threshold: setting.integer({ label: 'Refuse from score', min: 1, max: 256, required: true }),
    },
    hooks: {
      'checkout.validate': (draft, ctx) => {
        const digest = createHmac('sha256', String(ctx.settings.salt))
          .update(`${draft.contactEmail.toLowerCase()}|${draft.productId}|${draft.quantity}`)
          .digest()
        if (digest[0] + 1 > Number(ctx.settings.threshold)) {
          throw new PluginVeto('E_RISK', 'This order needs a manual check.')
        }
        return draft
      },
    },
  }),
]
const SETTINGS: Record<string, Record<string, unknown>> = {
  'bench-quantity-cap': { max: '10' },
  'bench-email-blocklist': { domains: 'mailinator.com, guerrillamail.com, 10minutemail.com' },
  'bench-amount-ceiling': { maxMinor: '500000', currency: 'CNY' },
  'bench-signed-in-only': { enabled: true, fromQuantity: '20' },
  // Threshold 256: the score (0-255) + 1 never exceeds it, so the filter always passes.
  'bench-risk-score': { salt: randomBytes(24).toString('base64url'), threshold: '256' },
}
for (const plugin of plugins) assertValidPlugin(plugin, `benchmarks/hooks.ts:${plugin.id}`)

log('5 plugins: catalogue (syncFirstPartyPlugins), install, settings, enable for the shop')
await syncFirstPartyPlugins(plugins)
for (const plugin of plugins) {
  const actor = { tenant: shop, userId }
  await installPlugin({
    ...actor,
    pluginId: plugin.id,
    version: plugin.version,
    consent: plugin.permissions,
  })
  await savePluginSettings({ ...actor, pluginId: plugin.id, values: SETTINGS[plugin.id] })
  await setPluginEnabled({ ...actor, pluginId: plugin.id, enabled: true })
}
const loaded = await withTenant((trx) => enabledPluginsFor(trx, shop.id), shop)
if (loaded.plugins.length !== 5 || loaded.invalid.length) {
  throw new Error(`expected 5 enabled plugins, got ${JSON.stringify(loaded)}`)
}

const register = () => plugins.forEach((p) => hooks.register(p))
const unregister = () => plugins.forEach((p) => hooks.unregister(p.id))

/* ------------------------------------------------------------------ 1. checkout */

type Variant = 'none' | 'five'
let buyerSeq = 0
async function checkout() {
  const n = ++buyerSeq
  await createOrder({
    tenant: shop,
    productId: product.id,
    quantity: 1,
    contactEmail: `buyer${n}@example.test`,
  })
}

function setVariant(v: Variant) {
  if (v === 'none') unregister()
  else register()
  if (hooks.handles('checkout.validate') !== (v === 'five')) throw new Error('bus state')
}

/** WORKERS loops for DURATION seconds; returns orders/s and every checkout's ms. */
async function measure(v: Variant) {
  await keepStock()
  setVariant(v)
  const deadline = performance.now() + DURATION * 1000
  const times: number[] = []
  const started = performance.now()
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now()
        await checkout()
        times.push(performance.now() - t)
      }
    })
  )
  return { ops: times.length / ((performance.now() - started) / 1000), times }
}

log(`warm-up (${WORKERS} workers, 2 s per variant)`)
for (const v of ['none', 'five'] as Variant[]) {
  await keepStock()
  setVariant(v)
  const deadline = performance.now() + 2000
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (performance.now() < deadline) await checkout()
    })
  )
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const results: Record<Variant, { ops: number[]; times: number[] }> = {
  none: { ops: [], times: [] },
  five: { ops: [], times: [] },
}
for (let round = 1; round <= ROUNDS; round++) {
  // Alternate which variant goes first, so neither always follows the other.
  const order: Variant[] = round % 2 ? ['none', 'five'] : ['five', 'none']
  for (const v of order) {
    const r = await measure(v)
    results[v].ops.push(r.ops)
    results[v].times.push(...r.times)
    const s = [...r.times].sort((a, b) => a - b)
    log(
      `round ${round} ${v === 'none' ? 'no plugin' : '5 plugins'}: ${r.ops.toFixed(0)} orders/s, ` +
        `p50 ${quantile(s, 0.5).toFixed(2)} ms, p99 ${quantile(s, 0.99).toFixed(2)} ms`
    )
  }
}
const { rows: orderCount } = await withTenant(
  (trx) => trx.rawQuery(`SELECT count(*)::int AS n FROM orders`),
  shop
)

/* ------------------------------------------------------------------ 2. per call */

register()
const scope = { tenantId: shop.id, plugins: loaded.plugins }
const draft = {
  productId: product.id,
  quantity: 1,
  contactEmail: 'buyer@example.test',
  buyerId: null,
  amountMinor: 1999n,
  currency: 'CNY',
}
log(`applyFilter with 5 filters: ${FILTER_CALLS.toLocaleString('en-US')} calls, one at a time`)
for (let i = 0; i < 2000; i++) await hooks.applyFilter('checkout.validate', draft, scope) // warm-up
const filterTimes: number[] = []
const filterStarted = performance.now()
for (let i = 0; i < FILTER_CALLS; i++) {
  const t = performance.now()
  const out = await hooks.applyFilter('checkout.validate', draft, scope)
  filterTimes.push(performance.now() - t)
  if (out !== draft) throw new Error('a filter changed the draft')
}
const filterWall = performance.now() - filterStarted
// The same call with no plugin enabled in scope: the bus's fixed cost without any handler.
const emptyTimes: number[] = []
for (let i = 0; i < FILTER_CALLS; i++) {
  const t = performance.now()
  await hooks.applyFilter('checkout.validate', draft, { tenantId: shop.id, plugins: [] })
  emptyTimes.push(performance.now() - t)
}
// The handlers' own work, called directly (what the bus wraps).
const ctxFor = (id: string) => ({
  tenantId: shop.id,
  pluginId: id,
  settings: loaded.plugins.find((p) => p.id === id)!.settings,
  signal: new AbortController().signal,
  log: { info: () => {}, warn: () => {} },
})
const ctxs = plugins.map((p) => ctxFor(p.id))
const handlers = plugins.map((p) => (p.hooks as any)['checkout.validate'] as Function)
const directTimes: number[] = []
for (let i = 0; i < FILTER_CALLS; i++) {
  const t = performance.now()
  let v: any = draft
  for (let j = 0; j < 5; j++) v = await handlers[j](v, ctxs[j])
  directTimes.push(performance.now() - t)
}

log(`enabledPluginsFor: ${LOAD_CALLS.toLocaleString('en-US')} loads (100 per tenant transaction)`)
const loadTimes: number[] = []
for (let done = 0; done < LOAD_CALLS + 200;) {
  await withTenant(async (trx) => {
    for (let i = 0; i < 100; i++, done++) {
      const t = performance.now()
      const r = await enabledPluginsFor(trx, shop.id)
      const ms = performance.now() - t
      if (r.plugins.length !== 5) throw new Error('enabledPluginsFor lost a plugin')
      if (done >= 200) loadTimes.push(ms) // the first 200 are warm-up
    }
  }, shop)
}
// The CPU part of each load: validateSettings (a VineJS validator compiled per call) × 5.
const summaries = plugins.map((p) => schemaOf(manifestSummary(p)))
const validateTimes: number[] = []
for (let i = 0; i < LOAD_CALLS + 200; i++) {
  const t = performance.now()
  for (let j = 0; j < 5; j++) await validateSettings(summaries[j], loaded.plugins[j].settings)
  if (i >= 200) validateTimes.push(performance.now() - t)
}
unregister()

await db.manager.closeAll()

/* ------------------------------------------------------------------ report */

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)
const ms = (x: number) => (x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1))
const none = sorted(results.none.times)
const five = sorted(results.five.times)
const medOps = { none: median(results.none.ops), five: median(results.five.ops) }
const p = (xs: number[], q: number) => quantile(xs, q)
const filter = sorted(filterTimes)
const empty = sorted(emptyTimes)
const direct = sorted(directTimes)
const load = sorted(loadTimes)
const validate = sorted(validateTimes)
const addedP50 = p(five, 0.5) - p(none, 0.5)
const perFilterP50 = p(filter, 0.5) / 5
const cpu = os.cpus()[0]?.model ?? 'unknown'
const gitHead = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: ROOT,
  encoding: 'utf8',
}).stdout.trim()
const lines = [
  MARK_START,
  `Measured ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} at ${gitHead} (plus uncommitted work in the tree, if any): ` +
    `${os.cpus().length} vCPU (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
    `Node ${process.version}, PostgreSQL ${pgVersion} on the same machine (shared with other runs); ` +
    `TypeScript sources through @poppinss/ts-exec. Checkout: \`createOrder\`, quantity 1, no query password, ` +
    `card product with ${fmt(KEYS)} keys imported through \`importProductStock\` (another ${fmt(KEYS)} between measurements whenever fewer than half were left; ${fmt(imported)} in all); ${WORKERS} workers, pool ${WORKERS + 2}, ` +
    `${ROUNDS} rounds × ${DURATION} s per variant, interleaved (order alternating); ${fmt(orderCount[0].n)} orders placed in all.`,
  '',
  '| checkout variant | orders/s (median of rounds) | p50 ms | p99 ms | rounds (orders/s) |',
  '|---|---:|---:|---:|---|',
  `| (a) no plugin registered in the bus | ${fmt(medOps.none)} | ${ms(p(none, 0.5))} | ${ms(p(none, 0.99))} | ${results.none.ops.map(fmt).join(', ')} |`,
  `| (b) 5 \`checkout.validate\` plugins enabled for the shop | ${fmt(medOps.five)} | ${ms(p(five, 0.5))} | ${ms(p(five, 0.99))} | ${results.five.ops.map(fmt).join(', ')} |`,
  '',
  `- 5 plugins / none: **${(medOps.five / medOps.none).toFixed(2)}×** orders/s; ` +
    `added per checkout: **${ms(addedP50)} ms at p50**, ${ms(p(five, 0.99) - p(none, 0.99))} ms at p99.`,
  '',
  `| per call (one at a time, ${fmt(FILTER_CALLS)} calls; loads ${fmt(LOAD_CALLS)}) | p50 ms | p99 ms | mean ms |`,
  '|---|---:|---:|---:|',
  `| \`hooks.applyFilter\`, 5 filters | ${ms(p(filter, 0.5))} | ${ms(p(filter, 0.99))} | ${ms(filterWall / FILTER_CALLS)} |`,
  `| — per filter call (÷ 5) | **${ms(perFilterP50)}** | ${ms(p(filter, 0.99) / 5)} | ${ms(filterWall / FILTER_CALLS / 5)} |`,
  `| \`hooks.applyFilter\`, no plugin enabled in scope | ${ms(p(empty, 0.5))} | ${ms(p(empty, 0.99))} | ${ms(emptyTimes.reduce((a, b) => a + b, 0) / emptyTimes.length)} |`,
  `| the 5 handlers called directly (their own work) | ${ms(p(direct, 0.5))} | ${ms(p(direct, 0.99))} | ${ms(directTimes.reduce((a, b) => a + b, 0) / directTimes.length)} |`,
  `| \`enabledPluginsFor\` (per checkout: query + 1 secret decryption + 5 × validateSettings) | ${ms(p(load, 0.5))} | ${ms(p(load, 0.99))} | ${ms(loadTimes.reduce((a, b) => a + b, 0) / loadTimes.length)} |`,
  `| — of which \`validateSettings\` × 5 (CPU only) | ${ms(p(validate, 0.5))} | ${ms(p(validate, 0.99))} | ${ms(validateTimes.reduce((a, b) => a + b, 0) / validateTimes.length)} |`,
  '',
  `- Aim "< 1 ms per in-process filter call at p50": **${perFilterP50 < 1 ? 'met' : 'not met'}** (${ms(perFilterP50)} ms).`,
  `- Per checkout with 5 plugins: applyFilter p50 ${ms(p(filter, 0.5))} ms + enabledPluginsFor p50 ${ms(p(load, 0.5))} ms ` +
    `= ${ms(p(filter, 0.5) + p(load, 0.5))} ms measured alone, vs ${ms(addedP50)} ms added at p50 under ${WORKERS} workers.`,
  MARK_END,
]
const block = lines.join('\n')
process.stdout.write(`${block}\n`)
if (WRITE_DOCS) {
  const text = readFileSync(DOCS, 'utf8')
  const start = text.indexOf(MARK_START)
  const end = text.indexOf(MARK_END)
  if (start === -1 || end === -1) {
    log('docs/benchmarks.md has no hooks results block; printed only')
  } else {
    writeFileSync(DOCS, text.slice(0, start) + block + text.slice(end + MARK_END.length))
    log('docs/benchmarks.md updated')
  }
}
process.exit(0)
