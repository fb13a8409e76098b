/**
 * What the benchmark scripts share: the process environment of a benchmark run (set before
 * the app boots; process.env wins over .env files in AdonisJS), a fresh database with one
 * active shop and its owner (written as the superuser: not under test), and the importer
 * that boots the app from the repository root.
 */
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { prepareFreshDatabase } from '#database/setup'

export const APP_ROOT = new URL('../', import.meta.url)
export const ROOT = fileURLToPath(APP_ROOT)
export const SUPERUSER_URL =
  process.env.DB_SUPERUSER_URL || 'postgres://postgres@127.0.0.1:5432/postgres'

const pick = (name: string, fallback: string) => process.env[name] || fallback

/** Set the environment of a run: the app's defaults for a local benchmark, then `extra`. */
export function benchEnvironment(input: {
  database: string
  port: number
  poolMax: number
  logLevel: 'warn' | 'error'
  extra?: Record<string, string>
}) {
  Object.assign(process.env, {
    TZ: 'UTC',
    NODE_ENV: 'development',
    PORT: String(input.port),
    HOST: '127.0.0.1',
    LOG_LEVEL: input.logLevel,
    APP_KEY: process.env.APP_KEY || randomBytes(24).toString('base64url'),
    APP_NAME: 'lianka',
    APP_URL: `http://localhost:${input.port}`,
    PLATFORM_DOMAIN: 'localhost',
    DB_HOST: pick('DB_HOST', '127.0.0.1'),
    DB_PORT: pick('DB_PORT', '5432'),
    DB_DATABASE: input.database,
    DB_USER: pick('DB_USER', 'lianka_app'),
    DB_PASSWORD: process.env.DB_PASSWORD ?? '',
    DB_OWNER_USER: pick('DB_OWNER_USER', 'lianka_owner'),
    DB_OWNER_PASSWORD: process.env.DB_OWNER_PASSWORD ?? '',
    DB_PLATFORM_USER: pick('DB_PLATFORM_USER', 'lianka_platform'),
    DB_PLATFORM_PASSWORD: process.env.DB_PLATFORM_PASSWORD ?? '',
    DB_POOL_MAX: String(input.poolMax),
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
    PLUGIN_PACKAGES: '',
    SECRETS_MASTER_KEY: process.env.BENCH_SECRETS_MASTER_KEY || randomBytes(32).toString('base64'),
    ...input.extra,
  })
}

/**
 * Roles, clean schema, grants and migrations (owner role) in `database`, then one active
 * CNY shop `slug` with an owner. Returns the PostgreSQL version and the owner's user id.
 */
export async function benchDatabase(input: {
  database: string
  slug: string
  shopName: string
  ownerEmail: string
  log: (message: string) => void
}) {
  input.log(`database ${input.database}: roles, clean schema, grants, migrations (owner role)`)
  await prepareFreshDatabase({
    superuserUrl: SUPERUSER_URL,
    database: input.database,
    env: process.env,
    root: ROOT,
  })
  const url = new URL(SUPERUSER_URL)
  url.pathname = `/${input.database}`
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    await client.query('BEGIN')
    const shop = await client.query<{ id: string }>(
      `INSERT INTO tenants (slug, name, status, default_locale, currency)
       VALUES ($1, $2, 'active', 'en', 'CNY') RETURNING id`,
      [input.slug, input.shopName]
    )
    const user = await client.query<{ id: string }>(
      `INSERT INTO users (email, full_name, password, email_verified_at)
       VALUES ($1, 'Bench Owner', 'not-a-login', now()) RETURNING id`,
      [input.ownerEmail]
    )
    await client.query(
      `INSERT INTO tenant_members (tenant_id, user_id, role) VALUES ($1, $2, 'owner')`,
      [shop.rows[0].id, user.rows[0].id]
    )
    await client.query('COMMIT')
    const version = await client.query<{ server_version: string }>('SHOW server_version')
    return { pgVersion: version.rows[0].server_version, userId: Number(user.rows[0].id) }
  } finally {
    await client.end()
  }
}

/** The Ignitor importer for an app rooted at the repository. */
export function appImporter(filePath: string) {
  return filePath.startsWith('./') || filePath.startsWith('../')
    ? import(new URL(filePath, APP_ROOT).href)
    : import(filePath)
}
