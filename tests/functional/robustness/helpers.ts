import net from 'node:net'
import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import router from '@adonisjs/core/services/router'
import env from '#start/env'
import HttpExceptionHandler from '#exceptions/handler'
import { LIMITER_KEY_PREFIX } from '#config/limiter'
import { tenantDirectory, tenantStorage, type TenantRef } from '#tenancy'

/*
|--------------------------------------------------------------------------
| Robustness suite helpers
|--------------------------------------------------------------------------
| Route enumeration from the router, hostile URL/body generation, a database fingerprint
| to prove anonymous malformed requests write nothing, and a raw HTTP client for the Host
| headers an ordinary client refuses to send.
*/

export const PLATFORM_DOMAIN = env.get('PLATFORM_DOMAIN')
export const SHOP_DOMAIN_PATTERN = `:shop.${PLATFORM_DOMAIN}`

/* ---------------------------------------------------------------------------------------- */
/* Routes                                                                                   */
/* ---------------------------------------------------------------------------------------- */

/** One registered route as the suite needs it. */
export interface RouteInfo {
  domain: string
  pattern: string
  name: string
  methods: string[]
  /** Dynamic segments, in order: `{ name, wildcard }`. */
  params: Array<{ name: string; wildcard: boolean }>
}

/**
 * Every registered route, from `router.toJSON()` (`{ [domain]: RouteJSON[] }`, domain
 * `root` for routes without a domain). Throws on a domain the suite does not know how to
 * address, so a new audience cannot silently escape the suite.
 */
export function registeredRoutes(): RouteInfo[] {
  const byDomain = router.toJSON() as Record<
    string,
    Array<{
      pattern: string
      name?: string
      methods: string[]
      tokens: Array<{ type: number; val: string }>
    }>
  >
  const routes: RouteInfo[] = []
  for (const [domain, list] of Object.entries(byDomain)) {
    for (const route of list) {
      routes.push({
        domain,
        pattern: route.pattern,
        name: route.name ?? `${domain}${route.pattern}`,
        methods: route.methods,
        // token types: 0 static, 1 param, 2 wildcard, 3 optional param
        params: route.tokens
          .filter((token) => token.type !== 0)
          .map((token) => ({ name: token.val, wildcard: token.type === 2 })),
      })
    }
  }
  return routes
}

/** Host header for a route's domain; throws for a domain the suite has not been taught. */
export function hostFor(domain: string, shop: TenantRef): string {
  if (domain === PLATFORM_DOMAIN) return PLATFORM_DOMAIN
  if (domain === SHOP_DOMAIN_PATTERN) return `${shop.slug}.${PLATFORM_DOMAIN}`
  if (domain === 'root') return PLATFORM_DOMAIN
  throw new Error(`robustness suite: no Host known for route domain "${domain}"`)
}

/** A value for a dynamic segment that the route would plausibly accept. */
function plausibleValue(param: string): string {
  if (param === 'token') return randomBytes(32).toString('base64url') // 43 chars, like real links
  if (param === 'locale') return 'en'
  if (param === '*') return 'shop'
  return '1'
}

/**
 * Hostile values for a dynamic segment, already as they appear in the path (so the client
 * sends them byte for byte: `..%2F` is not normalised away, `%00` is a NUL once decoded,
 * `%E0%A4%A` is a broken percent-encoding that `decodeURIComponent` throws on).
 */
export const HOSTILE_SEGMENTS: Array<[label: string, raw: string]> = [
  ['huge number', '999999999999'],
  ['beyond bigint', '99999999999999999999999999'],
  ['negative', '-1'],
  ['zero', '0'],
  ['letters', 'abc'],
  ['NUL', '%00'],
  ['traversal', encodeURIComponent('../../etc/passwd')],
  ['300 chars', 'a'.repeat(300)],
  ['unicode', encodeURIComponent('店铺-ü-🛒')],
  ['broken %-encoding', '%E0%A4%A'],
  ['lone %', '%'],
  ['sql', encodeURIComponent("1' OR '1'='1")],
  ['markup', encodeURIComponent('<script>alert(1)</script>')],
]

/** Concrete paths for a route: one plausible, then one per hostile value (every param at once). */
export function pathsFor(route: RouteInfo): Array<{ label: string; path: string }> {
  const build = (value: (param: string) => string) =>
    route.pattern.replace(/:([A-Za-z0-9_]+)\??|\*/g, (match, name) =>
      value(match === '*' ? '*' : name)
    )
  const paths = [{ label: 'plausible', path: build(plausibleValue) }]
  if (!route.params.length) return paths
  for (const [label, raw] of HOSTILE_SEGMENTS) {
    paths.push({ label, path: build(() => raw) })
  }
  return paths
}

/* ---------------------------------------------------------------------------------------- */
/* Bodies                                                                                   */
/* ---------------------------------------------------------------------------------------- */

/** Every field name any validator reads (app/validators/**), plus the framework's own. */
export const FIELD_NAMES = [
  'email',
  'password',
  'password_confirmation',
  'full_name',
  'name',
  'shop_name',
  'slug',
  'role',
  'abilities',
  'expires_in_days',
  'reason',
  'status',
  'page',
  'token',
  'locale',
  'back',
]

/** A body variant: what goes on the wire, and whether the CSRF token is sent. */
export interface BodyVariant {
  name: string
  csrf: boolean
  /** Content-Type header; undefined = none. */
  type?: string
  /** Extra headers. */
  headers?: Record<string, string>
  /** Raw body; undefined = no body. */
  body?: string | Buffer
  /** Query string appended to the path (without `?`). */
  query?: string
  /**
   * Set while this variant is known to produce a 5xx: the reported bug. The matrix keeps
   * sending it and lists its 5xx apart; a dedicated `.fails()` test tracks the bug.
   */
  knownBug?: string
}

/** The known bugs the matrix still trips over (see the `.fails()` tests). */
export const KNOWN_BUGS: Record<string, string> = {}

const HUNDRED_KB = 'x'.repeat(100 * 1024)

function formEncode(pairs: Array<[string, string]>) {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
}

/** JSON where every field is an object, an array, a number, a boolean or null. */
function nestedJson() {
  const shapes: unknown[] = [
    { a: { b: [1, { c: null }] } },
    ['a@example.test', 'b@example.test'],
    [{ $gt: '' }],
    12345678901234567890,
    true,
    null,
    { toString: 'x', valueOf: 1, length: 2 },
  ]
  const body: Record<string, unknown> = {}
  FIELD_NAMES.forEach((field, i) => (body[field] = shapes[i % shapes.length]))
  // JSON.parse keeps `__proto__` as an own key: a pollution attempt, not a real prototype
  return JSON.stringify(body).replace(/^\{/, '{"__proto__":{"isAdmin":true,"role":"owner"},')
}

/** Form fields sent as arrays and objects, a 100 KB value, prototype keys, deep nesting. */
function arrayForm() {
  const pairs: Array<[string, string]> = []
  for (const field of FIELD_NAMES) {
    pairs.push([`${field}[]`, 'a@example.test'], [`${field}[]`, 'b'])
  }
  pairs.push(['name[x][y]', 'z'], ['slug[0][1]', 'q'])
  pairs.push(['__proto__[isAdmin]', 'true'], ['constructor[prototype][isAdmin]', 'true'])
  pairs.push([`deep${'[a]'.repeat(50)}`, 'v'])
  pairs.push(['big', HUNDRED_KB], ['full_name', HUNDRED_KB])
  return formEncode(pairs)
}

/** Every body variant sent to every route answering a body method. */
export function bodyVariants(): BodyVariant[] {
  const credentials = formEncode([
    ['email', 'nobody@example.test'],
    ['password', ''],
  ])
  return [
    { name: 'no body', csrf: true },
    {
      name: 'broken JSON',
      csrf: true,
      type: 'application/json',
      body: '{"email": "a@example.test", "password": ',
    },
    {
      name: 'JSON array',
      csrf: true,
      type: 'application/json',
      body: '[1,"a",{"email":"x"},null]',
    },
    { name: 'JSON null', csrf: true, type: 'application/json', body: 'null' },
    { name: 'JSON string', csrf: true, type: 'application/json', body: '"email"' },
    { name: 'nested JSON', csrf: true, type: 'application/json', body: nestedJson() },
    {
      name: 'deep JSON',
      csrf: true,
      type: 'application/json',
      body: `{"email":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    },
    {
      name: 'array form + 100 KB',
      csrf: true,
      type: 'application/x-www-form-urlencoded',
      body: arrayForm(),
    },
    {
      name: 'broken form encoding',
      csrf: true,
      type: 'application/x-www-form-urlencoded',
      body: 'email=%E0%A4%A&password=%&&=&[]=1&email[=2',
    },
    {
      name: 'form with unknown charset',
      csrf: true,
      type: 'application/x-www-form-urlencoded; charset=x-bogus',
      body: credentials,
    },
    { name: 'JSON sent as text/plain', csrf: true, type: 'text/plain', body: '{"email":"a"}' },
    { name: 'XML', csrf: true, type: 'application/xml', body: '<?xml version="1.0"?><a>&x;</a>' },
    {
      name: 'multipart without boundary',
      csrf: true,
      type: 'multipart/form-data',
      body: 'email=a',
    },
    {
      name: 'truncated multipart',
      csrf: true,
      type: 'multipart/form-data; boundary=XyZ',
      body: '--XyZ\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b',
    },
    {
      name: 'gzip header, plain body',
      csrf: true,
      type: 'application/json',
      headers: { 'content-encoding': 'gzip' },
      body: '{"email":"a"}',
    },
    {
      name: 'deflate header, no body',
      csrf: true,
      type: 'application/x-www-form-urlencoded',
      headers: { 'content-encoding': 'deflate' },
    },
    {
      name: 'unknown content-encoding',
      csrf: true,
      type: 'application/json',
      headers: { 'content-encoding': 'x-bogus' },
      body: '{"email":"a"}',
    },
    {
      name: 'spoofed method as array',
      csrf: true,
      type: 'application/x-www-form-urlencoded',
      body: credentials,
      query: '_method[]=DELETE&_method[x]=y',
    },
    {
      name: 'spoofed method as object',
      csrf: true,
      query: '_method[x]=PUT',
    },
    {
      name: 'spoofed unknown method',
      csrf: true,
      query: `_method=${encodeURIComponent('FOO BAR\r\n')}`,
    },
    {
      name: 'no CSRF token (form)',
      csrf: false,
      type: 'application/x-www-form-urlencoded',
      body: credentials,
    },
    { name: 'no CSRF token (broken JSON)', csrf: false, type: 'application/json', body: '{' },
  ]
}

/** Variants for methods without a body: hostile query strings. */
export function queryVariants(): BodyVariant[] {
  return [
    { name: 'no query', csrf: false },
    {
      name: 'hostile query',
      csrf: false,
      query: [
        'page[]=1&page[x]=2&status[]=active&email[]=a&locale[]=en',
        `back=${encodeURIComponent('/\r\nX-Injected: 1')}`,
        `q=${'z'.repeat(4000)}`,
        'page=99999999999999999999999',
        'x=%E0%A4%A&%=1',
      ].join('&'),
    },
    { name: 'spoofed method as array', csrf: false, query: '_method[]=DELETE&_method[x]=y' },
    { name: 'back as array', csrf: false, query: 'back[]=/x&back[y]=//evil.example' },
  ]
}

/* ---------------------------------------------------------------------------------------- */
/* Response checks                                                                          */
/* ---------------------------------------------------------------------------------------- */

/**
 * What must never reach a client: stack frames, file paths, SQL errors, connection strings,
 * password hashes, configured secrets.
 */
export function leakMarkers(): string[] {
  const markers = [
    'at async',
    'node_modules',
    '.ts:',
    '\n    at ',
    'postgres://',
    'redis://',
    '$scrypt$',
    '$argon2',
    'syntax error at or near',
    'violates ',
    'invalid input syntax',
    'E_TENANT_MISSING',
    'DB_PASSWORD',
    'APP_KEY',
    env.get('DB_OWNER_USER'),
    env.get('DB_PLATFORM_USER'),
  ]
  const key: unknown = env.get('APP_KEY')
  const appKey = typeof key === 'string' ? key : (key as { release(): string }).release()
  if (appKey.length >= 8) markers.push(appKey)
  for (const name of [
    'DB_PASSWORD',
    'DB_OWNER_PASSWORD',
    'DB_PLATFORM_PASSWORD',
    'REDIS_PASSWORD',
  ]) {
    const value = process.env[name]
    if (value && value.length >= 6) markers.push(value)
  }
  return markers.filter((m): m is string => typeof m === 'string' && m.length > 0)
}

/** The first leak marker found in `text`, if any. */
export function findLeak(text: string, markers = leakMarkers()): string | undefined {
  return markers.find((marker) => text.includes(marker))
}

/* ---------------------------------------------------------------------------------------- */
/* Production error rendering                                                               */
/* ---------------------------------------------------------------------------------------- */

/**
 * Outside production the exception handler renders Youch debug pages (stack traces by
 * design). The suite checks what production would send, so for its duration the handler
 * instance runs with `debug = false` and status pages on, exactly its production settings
 * (app/exceptions/handler.ts), and does not log. Returns the function that restores it.
 */
export function useProductionErrorRendering(): () => void {
  const proto = HttpExceptionHandler.prototype as any
  const original = proto.handle
  const report = proto.report
  // the known bugs' 500s would print hundreds of error logs per run: not reported here,
  // the suite asserts on the responses instead
  proto.report = async () => {}
  const saved = new Map<any, { debug: boolean; renderStatusPages: boolean }>()
  proto.handle = function (this: any, error: unknown, ctx: unknown) {
    if (!saved.has(this)) {
      saved.set(this, { debug: this.debug, renderStatusPages: this.renderStatusPages })
    }
    this.debug = false
    this.renderStatusPages = true
    return original.call(this, error, ctx)
  }
  return () => {
    proto.handle = original
    proto.report = report
    for (const [handler, state] of saved) Object.assign(handler, state)
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Tenancy spies                                                                            */
/* ---------------------------------------------------------------------------------------- */

/**
 * Count the tenants put in context (`tenantStorage.run`, what the resolver does once a shop
 * is found) and the directory look-ups, while `fn` runs.
 */
export async function spyTenancy<T>(fn: () => Promise<T>) {
  const seen = { tenants: [] as string[], lookups: [] as string[] }
  const storage = tenantStorage as any
  const run = storage.run
  const find = tenantDirectory.findBySlug
  storage.run = function (this: any, store: any, ...rest: any[]) {
    if (store?.tenant) seen.tenants.push(store.tenant.slug)
    return run.call(this, store, ...rest)
  }
  tenantDirectory.findBySlug = function (this: any, slug: string) {
    seen.lookups.push(slug)
    return find.call(this, slug)
  }
  try {
    const result = await fn()
    return { result, ...seen }
  } finally {
    storage.run = run
    tenantDirectory.findBySlug = find
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Database fingerprint                                                                     */
/* ---------------------------------------------------------------------------------------- */

/**
 * Rows that anonymous malformed requests may legitimately write, per table, as a SQL
 * condition on the row. A failed platform-admin login is audited
 * (`admin.login_failed`, app/actions/accounts/log_in_platform_admin.ts) by design, so a
 * variant that happened to be well-formed but wrong may add such a row. Everything else in
 * platform_audit_events still counts.
 */
const ALLOWED_WRITES: Record<string, string> = {
  platform_audit_events: `action = 'admin.login_failed'`,
  // Every request to a gateway callback route is stored raw before it is verified
  // (app/payments/callbacks.ts), by design; an anonymous one can only end rejected.
  payment_callbacks: `outcome IN ('gateway_unavailable', 'bad_signature', 'malformed', 'stale', 'gateway_error')`,
}

/** Tables no request can write (migration bookkeeping). */
const NOT_FINGERPRINTED = ['adonis_schema', 'adonis_schema_versions']

/**
 * Row count and an md5 of every row of every public table (updates count, not just
 * inserts), read with the platform role (BYPASSRLS, SELECT on every application table).
 */
export async function fingerprint(): Promise<Record<string, string>> {
  const platform = db.connection('platform')
  const tables = await platform.rawQuery(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`
  )
  const names: string[] = tables.rows
    .map((r: { tablename: string }) => r.tablename)
    .filter((t: string) => !NOT_FINGERPRINTED.includes(t))
  const parts = names.map((table) => {
    const where = ALLOWED_WRITES[table] ? `WHERE NOT (${ALLOWED_WRITES[table]})` : ''
    return `SELECT '${table}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '-') AS f FROM "${table}" r ${where}`
  })
  const result = await platform.rawQuery(parts.join(' UNION ALL '))
  return Object.fromEntries(result.rows.map((r: { t: string; f: string }) => [r.t, r.f]))
}

/** Tables whose fingerprint changed. */
export function changedTables(before: Record<string, string>, after: Record<string, string>) {
  const tables = new Set([...Object.keys(before), ...Object.keys(after)])
  return [...tables].filter((t) => before[t] !== after[t])
}

/* ---------------------------------------------------------------------------------------- */
/* Fixtures                                                                                 */
/* ---------------------------------------------------------------------------------------- */

/** A shop row written by the owner role, random slug (limiter keys, directory cache). */
export async function createShop(
  status: TenantRef['status'] = 'active',
  prefix = 'fuzz'
): Promise<TenantRef> {
  const slug = `${prefix}-${randomBytes(4).toString('hex')}`
  const [row] = await db
    .connection('owner')
    .table('tenants')
    .insert({ slug, name: `Shop ${slug}`, status, default_locale: 'en' })
    .returning(['id', 'slug', 'name', 'status', 'default_locale', 'currency'])
  return {
    id: Number(row.id),
    slug: row.slug,
    name: row.name,
    status: row.status,
    defaultLocale: row.default_locale,
    currency: row.currency,
  }
}

/**
 * Drop this run's rate-limit counters. Not `limiter.clear()`: on the Redis store that is a
 * FLUSHDB, which would wipe every other user of the shared Redis. Keys are prefixed with the
 * database name (config/limiter.ts), so this only touches this run's counters.
 */
export async function clearLimiter() {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${LIMITER_KEY_PREFIX}*`, 'COUNT', 500)
    cursor = next
    if (keys.length) await redis.del(...keys)
  } while (cursor !== '0')
}

/* ---------------------------------------------------------------------------------------- */
/* Concurrency                                                                              */
/* ---------------------------------------------------------------------------------------- */

/** Run `fn` over `items`, at most `limit` at a time. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length)
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index])
    }
  })
  await Promise.all(workers)
  return results
}

/* ---------------------------------------------------------------------------------------- */
/* Raw HTTP                                                                                 */
/* ---------------------------------------------------------------------------------------- */

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * One HTTP/1.1 request written byte for byte on a socket: any Host header (or none, or
 * non-ASCII), which Node's and superagent's clients refuse to send. `Connection: close`.
 */
export function rawRequest(
  lines: {
    method?: string
    path?: string
    /** `null`: no Host header at all. */
    host?: string | null
    headers?: string[]
    body?: string
    /** `HTTP/1.1` unless told. */
    version?: string
  } = {}
): Promise<RawResponse> {
  const head = [`${lines.method ?? 'GET'} ${lines.path ?? '/'} ${lines.version ?? 'HTTP/1.1'}`]
  if (lines.host !== null) head.push(`Host: ${lines.host ?? PLATFORM_DOMAIN}`)
  head.push(...(lines.headers ?? []))
  if (lines.body !== undefined) head.push(`Content-Length: ${Buffer.byteLength(lines.body)}`)
  head.push('Connection: close', '', '')
  const payload = Buffer.from(head.join('\r\n') + (lines.body ?? ''), 'utf8')

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: env.get('HOST'), port: env.get('PORT') })
    const chunks: Buffer[] = []
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')))
    socket.on('connect', () => socket.write(payload))
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)))
      } catch (error) {
        reject(error)
      }
    })
  })
}

function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n')
  if (split === -1) throw new Error(`incomplete response: ${raw.toString('latin1').slice(0, 200)}`)
  const [statusLine, ...headerLines] = raw.subarray(0, split).toString('latin1').split('\r\n')
  const status = Number(statusLine.split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = raw.subarray(split + 4)
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body)
  return { status, headers, body: body.toString('utf8') }
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = []
  let offset = 0
  while (offset < data.length) {
    const lineEnd = data.indexOf('\r\n', offset)
    if (lineEnd === -1) break
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16)
    if (!size) break
    out.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    offset = lineEnd + 2 + size + 2
  }
  return Buffer.concat(out)
}
