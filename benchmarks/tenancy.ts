/**
 * `npm run bench:tenancy` — requests/s of a tenant page (resolve tenant, `withTenant`, one
 * RLS query, Edge render) against the same page without tenancy or transaction, measured
 * in the same run against the same server, rounds interleaved. docs/benchmarks.md explains
 * the method; this script rewrites the results block there with what it measured.
 *
 * Needs PostgreSQL reachable through DB_SUPERUSER_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * and preferably `wrk` on PATH (else benchmarks/http_load.ts, a Node load generator in its
 * own process, is used and the report says so).
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION (10, seconds), BENCH_CONNECTIONS (50),
 * BENCH_THREADS (2), BENCH_WARMUP (5, seconds per page), BENCH_DATABASE (lianka_bench),
 * BENCH_WRITE_DOCS (1; 0 = print only), BENCH_LOADGEN (auto | wrk | node),
 * BENCH_MICRO (0; 1 = also run benchmarks/tenancy_micro.ts and report it),
 * BENCH_APP_ROOT (unset; a compiled build, e.g. `build` after `node ace build` with
 * node_modules installed in it: the server then runs `node bin/server.js` there, without
 * the TypeScript loader).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import { relative as relativePath, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { prepareFreshDatabase } from '#database/setup'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DOCS = new URL('../docs/benchmarks.md', import.meta.url)

const num = (name: string, fallback: number) => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}
const ROUNDS = num('BENCH_ROUNDS', 3)
const DURATION = num('BENCH_DURATION', 10)
const CONNECTIONS = num('BENCH_CONNECTIONS', 50)
const THREADS = num('BENCH_THREADS', 2)
const WARMUP = num('BENCH_WARMUP', 5)
const WRITE_DOCS = process.env.BENCH_WRITE_DOCS !== '0'
const MICRO = process.env.BENCH_MICRO === '1'
const DATABASE = process.env.BENCH_DATABASE || 'lianka_bench'
const SUPERUSER_URL = process.env.DB_SUPERUSER_URL || 'postgres://postgres@127.0.0.1:5432/postgres'

const SHOP_SLUG = 'bench'
/** Same name as BASELINE_TABLE in app/bench/bench_queries.ts (not imported: that needs a booted app). */
const BASELINE_TABLE = 'bench_baseline_events'
const PLATFORM_DOMAIN = 'localhost'
const SHOP_HOST = `${SHOP_SLUG}.${PLATFORM_DOMAIN}`
const PATH = '/__bench/page'
const ROWS_PER_SHOP = 50
const EXPECTED_ROWS = 20

type Page = 'baseline' | 'tenant'
const HOSTS: Record<Page, string> = { baseline: PLATFORM_DOMAIN, tenant: SHOP_HOST }

interface RunResult {
  page: Page
  round: number
  rps: number
  requests: number
  non2xx: number
  errors: number
  latencyAvgMs: number
  latencyP50Ms: number
  latencyP99Ms: number
  serverCpuPct: number
  /** Server process CPU time (user + system) per completed request, in microseconds. */
  serverCpuUsPerReq: number
}

function log(message: string) {
  process.stdout.write(`[bench:tenancy] ${message}\n`)
}

/* ------------------------------------------------------------------ environment */

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

/**
 * Everything the app validates in start/env.ts, set explicitly so a fresh clone without
 * `.env` works and a developer's `.env` cannot point the benchmark at another database
 * (process.env wins over .env files in AdonisJS).
 */
function serverEnv(port: number): NodeJS.ProcessEnv {
  const pick = (name: string, fallback: string) => process.env[name] || fallback
  return {
    ...process.env,
    TZ: 'UTC',
    NODE_ENV: 'development',
    BENCHMARK_ROUTES: 'true',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    APP_KEY: randomBytes(24).toString('base64url'),
    APP_NAME: 'lianka',
    APP_URL: `http://${PLATFORM_DOMAIN}:${port}`,
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
    QUEUE_DRIVER: 'memory',
    MAIL_MAILER: 'smtp',
    MAIL_FROM_NAME: 'Lianka',
    MAIL_FROM_ADDRESS: 'no-reply@lianka.localhost',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '1025',
  }
}

/* ------------------------------------------------------------------ database */

function sqlIdent(name: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe SQL identifier "${name}"`)
  return `"${name}"`
}

async function prepareDatabase(env: NodeJS.ProcessEnv) {
  log(`database ${DATABASE}: roles, clean schema, grants, migrations (owner role)`)
  await prepareFreshDatabase({ superuserUrl: SUPERUSER_URL, database: DATABASE, env, root: ROOT })

  log(
    `seed: shops "${SHOP_SLUG}" and "bench-other", ${ROWS_PER_SHOP} audit events each, same rows in ${BASELINE_TABLE}`
  )
  const url = new URL(SUPERUSER_URL)
  url.pathname = `/${DATABASE}`
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    // Superuser: seeding is not the code under test, and it must write both shops' rows.
    await client.query('BEGIN')
    // The baseline's table: audit_events' columns, defaults and indexes, without its RLS,
    // foreign keys or append-only trigger, readable by the app role. Benchmark database only
    // (the schema is reset on every run); platform-global tables that `app` may read, such as
    // the platform audit log, are deliberately not readable by it.
    await client.query(
      `CREATE TABLE ${BASELINE_TABLE} (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)`
    )
    await client.query(`GRANT SELECT ON ${BASELINE_TABLE} TO ${sqlIdent(env.DB_USER!)}`)
    const shops = await client.query<{ id: string; slug: string }>(
      `INSERT INTO tenants (slug, name, status, default_locale, currency)
       VALUES ($1, 'Bench Shop', 'active', 'en', 'CNY'), ('bench-other', 'Other Shop', 'active', 'en', 'CNY')
       RETURNING id, slug`,
      [SHOP_SLUG]
    )
    for (const [s, shop] of shops.rows.entries()) {
      for (let i = 0; i < ROWS_PER_SHOP; i++) {
        // Interleaved timestamps: the two shops' events alternate minute by minute.
        const values = [
          shop.id,
          `${i * 2 + s} minutes`,
          'system',
          `order.delivered`,
          'order',
          `ORD-${String(100000 + i).padStart(8, '0')}`,
          `203.0.113.${(i % 250) + 1}`,
          JSON.stringify({ n: i }),
          i + 1,
        ]
        for (const table of ['audit_events', BASELINE_TABLE]) {
          await client.query(
            // seq/prev_hash/hash: chain columns (migration 0007); not a valid chain, not read here.
            `INSERT INTO ${table} (tenant_id, occurred_at, actor_type, action, target_type, target_id, ip, metadata, seq, prev_hash, hash)
             VALUES ($1, now() - $2::interval, $3, $4, $5, $6, $7, $8, $9, repeat('0', 64), repeat('0', 64))`,
            values
          )
        }
      }
    }
    await client.query('COMMIT')
    await client.query('ANALYZE')
    const version = await client.query<{ server_version: string }>('SHOW server_version')
    return { pgVersion: version.rows[0].server_version }
  } finally {
    await client.end()
  }
}

/* ------------------------------------------------------------------ server */

const APP_ROOT = process.env.BENCH_APP_ROOT
  ? resolvePath(ROOT, process.env.BENCH_APP_ROOT)
  : undefined
const SERVER_MODE = APP_ROOT
  ? `compiled build (${relativePath(ROOT, APP_ROOT) || '.'}, node bin/server.js)`
  : 'TypeScript sources through @poppinss/ts-exec (node --import=@poppinss/ts-exec bin/server.ts)'
/** One results block per server mode in docs/benchmarks.md, each rewritten by its own runs. */
const MODE = APP_ROOT ? 'build' : 'ts-exec'
const MODE_TITLE = APP_ROOT
  ? 'Last run: compiled build (`BENCH_APP_ROOT`)'
  : 'Last run: TypeScript sources (the default)'
const MARK_START = `<!-- bench:tenancy:results:${MODE}:start (written by benchmarks/tenancy.ts) -->`
const MARK_END = `<!-- bench:tenancy:results:${MODE}:end -->`

/**
 * A server started outside production rewrites .adonisjs/server/routes.{d.ts,json} (committed,
 * generated) with every registered route, the benchmark routes included. Put back what was
 * there, unless someone else has rewritten the files since.
 */
function keepGeneratedRoutes() {
  const dir = resolvePath(APP_ROOT ?? ROOT, '.adonisjs/server')
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

function startServer(env: NodeJS.ProcessEnv) {
  const args = APP_ROOT ? ['bin/server.js'] : ['--import=@poppinss/ts-exec', 'bin/server.ts']
  const child = spawn(process.execPath, args, {
    cwd: APP_ROOT ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  return { child, output: () => output }
}

/** One GET with the page's Host header (fetch() does not let a caller set Host). */
function fetchPage(port: number, page: Page): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: PATH,
        agent: false,
        headers: { 'Host': HOSTS[page], 'Accept-Language': 'en' },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }
    )
    req.on('error', reject)
  })
}

async function waitForServer(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output()}`)
    try {
      const res = await fetchPage(port, 'baseline')
      if (res.status === 200) return
    } catch {}
    await sleep(250)
  }
  throw new Error(`server did not answer within 90 s:\n${output()}`)
}

/** Both pages must answer 200 with the expected rows before anything is measured. */
async function checkPages(port: number) {
  const sizes: Record<Page, number> = { baseline: 0, tenant: 0 }
  for (const page of ['baseline', 'tenant'] as Page[]) {
    const { status, body } = await fetchPage(port, page)
    const rows = /data-bench-rows="(\d+)"/.exec(body)?.[1]
    if (status !== 200 || Number(rows) !== EXPECTED_ROWS) {
      throw new Error(
        `${page} page: status ${status}, rows ${rows}, expected 200 and ${EXPECTED_ROWS}:\n${body.slice(0, 2000)}`
      )
    }
    sizes[page] = Buffer.byteLength(body)
  }
  return sizes
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime + stime, in clock ticks
}

/* ------------------------------------------------------------------ load */

function hasWrk() {
  return spawnSync('wrk', ['-v'], { encoding: 'utf8' }).error === undefined
}

function wrkVersion() {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' })
  return (out.stdout + out.stderr).split('\n')[0].trim()
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim())
  if (!m) return Number.NaN
  const n = Number(m[1])
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000
}

function loadCommand(tool: 'wrk' | 'node', port: number, page: Page, seconds: number) {
  const url = `http://127.0.0.1:${port}${PATH}`
  if (tool === 'wrk') {
    return [
      'wrk',
      [
        '--latency',
        `-t${THREADS}`,
        `-c${CONNECTIONS}`,
        `-d${seconds}s`,
        '-H',
        `Host: ${HOSTS[page]}`,
        '-H',
        'Accept-Language: en',
        url,
      ],
    ] as const
  }
  return [
    process.execPath,
    [
      '--import=@poppinss/ts-exec',
      'benchmarks/http_load.ts',
      url,
      String(CONNECTIONS),
      String(seconds),
      `Host: ${HOSTS[page]}`,
      'Accept-Language: en',
    ],
  ] as const
}

function runLoad(
  tool: 'wrk' | 'node',
  port: number,
  page: Page,
  seconds: number,
  serverPid: number,
  round: number
): RunResult {
  const [cmd, args] = loadCommand(tool, port, page, seconds)
  const ticksBefore = cpuTicks(serverPid)
  const startedAt = performance.now()
  const out = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' })
  const wall = (performance.now() - startedAt) / 1000
  const cpuSeconds = (cpuTicks(serverPid) - ticksBefore) / 100
  const serverCpuPct = (cpuSeconds / wall) * 100
  if (out.status !== 0) throw new Error(`${cmd} failed:\n${out.stdout}${out.stderr}`)

  if (tool === 'node') {
    const r = JSON.parse(out.stdout.trim().split('\n').at(-1)!)
    return {
      page,
      round,
      rps: r.rps,
      requests: r.requests,
      non2xx: r.non2xx,
      errors: r.errors,
      latencyAvgMs: r.latencyMs.avg,
      latencyP50Ms: r.latencyMs.p50,
      latencyP99Ms: r.latencyMs.p99,
      serverCpuPct,
      serverCpuUsPerReq: (cpuSeconds * 1e6) / Math.max(1, r.requests),
    }
  }
  const text = out.stdout
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1])
  const requests = Number(/(\d+) requests in/.exec(text)?.[1])
  const latencyAvg = /Latency\s+(\S+)/.exec(text)?.[1] ?? ''
  const p50 = /\s50%\s+(\S+)/.exec(text)?.[1] ?? ''
  const p99 = /\s99%\s+(\S+)/.exec(text)?.[1] ?? ''
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text)
  const errors = sock ? sock.slice(1).reduce((s, v) => s + Number(v), 0) : 0
  if (!Number.isFinite(rps)) throw new Error(`could not parse wrk output:\n${text}`)
  return {
    page,
    round,
    rps,
    requests,
    non2xx,
    errors,
    latencyAvgMs: toMs(latencyAvg),
    latencyP50Ms: toMs(p50),
    latencyP99Ms: toMs(p99),
    serverCpuPct,
    serverCpuUsPerReq: (cpuSeconds * 1e6) / Math.max(1, requests),
  }
}

/* ------------------------------------------------------------------ micro */

interface MicroResult {
  variant: string
  concurrency: number
  opsPerSec: number
  cpuUsPerOp: number
  latencyMs: number
}

/** The database part of each page, in-process (benchmarks/tenancy_micro.ts), same database. */
function runMicro(env: NodeJS.ProcessEnv): MicroResult[] {
  log('micro-benchmark: the database part of each page, in-process (benchmarks/tenancy_micro.ts)')
  const out = spawnSync(
    process.execPath,
    ['--import=@poppinss/ts-exec', 'benchmarks/tenancy_micro.ts'],
    {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    }
  )
  if (out.status !== 0) throw new Error(`tenancy_micro.ts failed:\n${out.stdout}${out.stderr}`)
  return out.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
}

function microMarkdown(results: MicroResult[]) {
  const lines = [
    '',
    `Database part only (benchmarks/tenancy_micro.ts, same run and database; median of ${process.env.BENCH_MICRO_ROUNDS || 3} interleaved rounds of ${process.env.BENCH_MICRO_SECONDS || 3} s; CPU is the Node process's):`,
    '',
    '| variant | round trips | callers | ops/s | Node CPU µs/op | latency ms/op |',
    '|---|---:|---:|---:|---:|---:|',
  ]
  const trips: Record<string, number> = {
    'plain': 1,
    'trx': 3,
    'withTenant': 4,
    'withTenant-1rt': 3,
  }
  for (const r of results) {
    lines.push(
      `| ${r.variant} | ${trips[r.variant] ?? '?'} | ${r.concurrency} | ${f0(r.opsPerSec)} | ${f0(r.cpuUsPerOp)} | ${r.latencyMs.toFixed(3)} |`
    )
  }
  return lines.join('\n')
}

/* ------------------------------------------------------------------ report */

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
const f0 = (n: number) => n.toFixed(0)
const f2 = (n: number) => n.toFixed(2)

function machine(pgVersion: string, loadgen: string) {
  const cpu =
    /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ??
    os.cpus()[0]?.model ??
    '?'
  const date =
    spawnSync('date', ['-u'], { encoding: 'utf8' }).stdout.trim() || new Date().toUTCString()
  return {
    date,
    cores: os.availableParallelism(),
    cpu,
    ramGiB: (os.totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    pg: pgVersion,
    loadgen,
    loadavg: loadavg(),
    revision: revision(),
  }
}

function loadavg() {
  return os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ')
}

function revision() {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' })
  if (head.status !== 0) return 'not a git checkout'
  // The report's own target does not count as a change.
  const dirty = spawnSync('git', ['status', '--porcelain', '--', '.', ':!docs/benchmarks.md'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  return `commit ${head.stdout.trim()}${dirty.stdout.trim() ? ' plus uncommitted changes in the working tree' : ''}`
}

function report(
  results: RunResult[],
  sizes: Record<Page, number>,
  m: ReturnType<typeof machine>,
  tool: 'wrk' | 'node',
  port: number,
  micro: MicroResult[] | undefined,
  env: NodeJS.ProcessEnv
) {
  const base = results.filter((r) => r.page === 'baseline')
  const ten = results.filter((r) => r.page === 'tenant')
  const baseMed = median(base.map((r) => r.rps))
  const tenMed = median(ten.map((r) => r.rps))
  const ratio = tenMed / baseMed
  const pairRatios = ten.map((t) => t.rps / base.find((b) => b.round === t.round)!.rps)

  const header =
    '| round | page | requests/s | latency avg (ms) | p50 (ms) | p99 (ms) | server CPU % | server CPU µs/request | non-2xx / errors |'
  const sep = '|---:|---|---:|---:|---:|---:|---:|---:|---:|'
  const rows = results.map(
    (r) =>
      `| ${r.round} | ${r.page} | ${f0(r.rps)} | ${f2(r.latencyAvgMs)} | ${f2(r.latencyP50Ms)} | ${f2(r.latencyP99Ms)} | ${f0(r.serverCpuPct)} | ${f0(r.serverCpuUsPerReq)} | ${r.non2xx} / ${r.errors} |`
  )
  const [, baseArgs] = loadCommand(tool, port, 'baseline', DURATION)
  const [, tenArgs] = loadCommand(tool, port, 'tenant', DURATION)
  const quote = (a: string) => (/[\s:]/.test(a) ? `'${a}'` : a)
  const cmd = (page: Page, args: readonly string[]) =>
    `${tool === 'wrk' ? 'wrk' : 'node'} ${args.map(quote).join(' ')}`.replace(
      `:${port}`,
      ':<port>'
    ) + `   # ${page}`

  const md = [
    MARK_START,
    `### ${MODE_TITLE}`,
    '',
    `- date: ${m.date}`,
    `- machine: ${m.cores} cores (${m.cpu}), ${m.ramGiB} GiB RAM; load average ${m.loadavg} at start, ${loadavg()} at end (1/5/15 min; the machine was shared with other work)`,
    `- code: ${m.revision}`,
    `- software: Node ${m.node}, PostgreSQL ${m.pg}, load generator ${m.loadgen}`,
    `- server: ${SERVER_MODE}, NODE_ENV=development, BENCHMARK_ROUTES=true (Edge template cache on), LOG_LEVEL=warn, DB pool max ${env.DB_POOL_MAX}`,
    `- command: \`npm run bench:tenancy\` (BENCH_ROUNDS=${ROUNDS} BENCH_DURATION=${DURATION} BENCH_CONNECTIONS=${CONNECTIONS} BENCH_THREADS=${THREADS} BENCH_WARMUP=${WARMUP}), which runs, interleaved:`,
    '',
    '```',
    cmd('baseline', baseArgs),
    cmd('tenant', tenArgs),
    '```',
    '',
    `- response size: baseline ${sizes.baseline} B, tenant ${sizes.tenant} B (${EXPECTED_ROWS} rows each)`,
    '',
    header,
    sep,
    ...rows,
    '',
    `| | baseline | tenant |`,
    `|---|---:|---:|`,
    `| median requests/s | ${f0(baseMed)} | ${f0(tenMed)} |`,
    `| median latency avg (ms) | ${f2(median(base.map((r) => r.latencyAvgMs)))} | ${f2(median(ten.map((r) => r.latencyAvgMs)))} |`,
    `| median p99 (ms) | ${f2(median(base.map((r) => r.latencyP99Ms)))} | ${f2(median(ten.map((r) => r.latencyP99Ms)))} |`,
    `| median server CPU µs/request | ${f0(median(base.map((r) => r.serverCpuUsPerReq)))} | ${f0(median(ten.map((r) => r.serverCpuUsPerReq)))} |`,
    '',
    `**Ratio tenant / baseline (median requests/s): ${f2(ratio)}** (target ≥ 0.60; per-round ratios ${pairRatios.map(f2).join(', ')}).`,
    ...(micro ? [microMarkdown(micro)] : []),
    MARK_END,
  ].join('\n')
  return { md, ratio, baseMed, tenMed, pairRatios }
}

function writeDocs(block: string) {
  const path = fileURLToPath(DOCS)
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n'
  const start = text.indexOf(MARK_START)
  const end = text.indexOf(MARK_END)
  if (start !== -1 && end > start) {
    text = text.slice(0, start) + block + text.slice(end + MARK_END.length)
  } else {
    text =
      text.replace(/\s*$/, '\n\n') + `## Tenancy overhead (\`npm run bench:tenancy\`)\n\n${block}\n`
  }
  writeFileSync(path, text)
}

/* ------------------------------------------------------------------ main */

async function main() {
  const requested = process.env.BENCH_LOADGEN || 'auto'
  const tool: 'wrk' | 'node' = requested === 'node' ? 'node' : hasWrk() ? 'wrk' : 'node'
  if (requested === 'wrk' && tool !== 'wrk')
    throw new Error('BENCH_LOADGEN=wrk but wrk is not on PATH')
  if (tool === 'node')
    log(
      'wrk not found: using benchmarks/http_load.ts (separate Node process); install wrk for better figures'
    )
  const loadgen =
    tool === 'wrk'
      ? wrkVersion()
      : `benchmarks/http_load.ts (Node ${process.version}), wrk not installed`

  const port = await freePort()
  const env = serverEnv(port)
  const { pgVersion } = await prepareDatabase(env)

  log(`server: NODE_ENV=development BENCHMARK_ROUTES=true LOG_LEVEL=warn on 127.0.0.1:${port}`)
  const restoreGenerated = keepGeneratedRoutes()
  const { child, output } = startServer(env)
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    restoreGenerated()
  }
  process.on('exit', stop)
  process.on('SIGINT', () => {
    stop()
    process.exit(130)
  })

  try {
    await waitForServer(port, child, output)
    restoreGenerated() // written once, at boot
    const sizes = await checkPages(port)
    log(
      `pages ok: baseline ${sizes.baseline} B, tenant ${sizes.tenant} B, ${EXPECTED_ROWS} rows each`
    )

    const m = machine(pgVersion, loadgen)
    log(`warm-up: ${WARMUP}s per page`)
    for (const page of ['baseline', 'tenant'] as Page[])
      runLoad(tool, port, page, WARMUP, child.pid!, 0)

    const results: RunResult[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      for (const page of ['baseline', 'tenant'] as Page[]) {
        const r = runLoad(tool, port, page, DURATION, child.pid!, round)
        log(
          `round ${round} ${page.padEnd(8)} ${f0(r.rps).padStart(6)} req/s  avg ${f2(r.latencyAvgMs)} ms  p99 ${f2(r.latencyP99Ms)} ms  server CPU ${f0(r.serverCpuPct)}% ${f0(r.serverCpuUsPerReq)} µs/req`
        )
        if (r.non2xx || r.errors)
          throw new Error(
            `${page} round ${round}: ${r.non2xx} non-2xx responses, ${r.errors} socket errors`
          )
        results.push(r)
      }
    }
    // The page still has to be right after the load (same rows, same tenant).
    await checkPages(port)

    stop()
    const micro = MICRO ? runMicro(env) : undefined

    const { md, ratio } = report(results, sizes, m, tool, port, micro, env)
    process.stdout.write(`\n${md.split('\n').slice(1, -1).join('\n')}\n\n`)
    if (WRITE_DOCS) {
      writeDocs(md)
      log(`docs/benchmarks.md updated`)
    }
    log(
      `ratio tenant/baseline = ${f2(ratio)} (${ratio >= 0.6 ? 'meets' : 'BELOW'} the 0.60 target)`
    )
  } finally {
    stop()
  }
}

main().catch((error) => {
  process.stderr.write(`[bench:tenancy] ${error instanceof Error ? error.stack : error}\n`)
  process.exitCode = 1
})
