/*
|--------------------------------------------------------------------------
| Demo entrypoint: `npm run demo` (demo.js imports this file)
|--------------------------------------------------------------------------
|
| One process, no .env, no PostgreSQL server, no Redis: an embedded PGlite
| database (on disk, kept between runs) served through pglite-socket, the
| in-process job driver, migrations, a seeded demo shop, and the HTTP server.
|
|   npm run demo                      start (or resume) the demo
|   npm run demo -- --reset           delete the demo data first
|   npm run demo -- --port 4000       listen elsewhere (default: $PORT or 3333)
|   npm run demo -- --data-dir DIR    keep the data in DIR (or LIANKA_DEMO_DIR)
|   npm run demo -- ace <command>     run an ace command against the demo data
|
| docs/architecture.md and README.md (Demo mode) explain the single-session
| design: every connection shares ONE PostgreSQL session, switched to the app
| role with `SET ROLE` so row-level security still applies to every request.
|
*/

import 'reflect-metadata'
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Ignitor, prettyPrintError } from '@adonisjs/core'
import type { ApplicationService } from '@adonisjs/core/types'
import { ensureGrants, ensureRoles, type RoleSpec } from '#database/setup'
import { startDemoDatabase, type DemoDatabase } from '../app/demo/pglite_server.js'

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

/** An expected failure: printed as one line, without a stack trace. */
class DemoError extends Error {}

const USAGE = `Usage: npm run demo -- [--reset] [--port <port>] [--data-dir <dir>]
       npm run demo -- [--data-dir <dir>] ace <command> [arguments]`

const started = performance.now()
const seconds = (from: number, to = performance.now()) => `${((to - from) / 1000).toFixed(1)} s`

/*
|--------------------------------------------------------------------------
| Arguments
|--------------------------------------------------------------------------
*/
const argv = process.argv.slice(2)
const aceAt = argv.indexOf('ace')
const aceArgv = aceAt === -1 ? null : argv.slice(aceAt + 1)

let options: { 'reset'?: boolean; 'port'?: string; 'data-dir'?: string; 'help'?: boolean }
try {
  options = parseArgs({
    args: aceAt === -1 ? argv : argv.slice(0, aceAt),
    options: {
      'reset': { type: 'boolean' },
      'port': { type: 'string' },
      'data-dir': { type: 'string' },
      'help': { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`)
  process.exit(2)
}
if (options.help) {
  console.log(USAGE)
  process.exit(0)
}

const portText = options.port ?? process.env.PORT ?? '3333'
const port = Number(portText)
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`Invalid port "${portText}"\n${USAGE}`)
  process.exit(2)
}

/** Everything the demo keeps: PGlite's cluster, the app key, the merchant's credentials. */
const dataDir = options['data-dir']
  ? resolve(options['data-dir'])
  : process.env.LIANKA_DEMO_DIR
    ? resolve(process.env.LIANKA_DEMO_DIR)
    : fileURLToPath(new URL('tmp/demo', APP_ROOT))
const files = {
  pgdata: resolve(dataDir, 'pgdata'),
  appKey: resolve(dataDir, 'app_key'),
  secretsKey: resolve(dataDir, 'secrets_master_key'),
  credentials: resolve(dataDir, 'merchant_credentials.json'),
  pid: resolve(dataDir, 'demo.pid'),
}

/*
|--------------------------------------------------------------------------
| Data directory: one demo process at a time, --reset, the app key
|--------------------------------------------------------------------------
*/
async function lockDataDir() {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  try {
    await writeFile(files.pid, String(process.pid), { flag: 'wx' })
    return
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const other = Number(await readText(files.pid))
  if (other && other !== process.pid && isAlive(other)) {
    throw new DemoError(`Another demo (pid ${other}) is using ${dataDir}; stop it first.`)
  }
  await writeFile(files.pid, String(process.pid))
}

/** A small text file's trimmed content, or '' when it does not exist. */
async function readText(path: string) {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.trim()
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function unlockDataDir() {
  const owner = await readText(files.pid)
  if (owner === String(process.pid)) await rm(files.pid, { force: true })
}

/** Only the demo's own files are deleted, never the directory itself (it may be user-given). */
async function resetDataDir() {
  for (const path of [files.pgdata, files.appKey, files.secretsKey, files.credentials]) {
    await rm(path, { recursive: true, force: true })
  }
}

/** A random key kept in `path` (mode 0600) and reused on every start until --reset. */
async function persistedKey(path: string, encoding: 'base64url' | 'base64'): Promise<string> {
  const existing = await readText(path)
  if (existing.length >= 32) return existing
  const key = randomBytes(32).toString(encoding)
  await rm(path, { force: true })
  await writeFile(path, key + '\n', { mode: 0o600, flag: 'wx' })
  return key
}

function appKey(): Promise<string> {
  return persistedKey(files.appKey, 'base64url')
}

/**
 * The master key that wraps the shops' card-secret data keys. It lives beside the
 * database: losing it makes the stored stock unreadable, so --reset deletes both.
 */
function secretsMasterKey(): Promise<string> {
  return persistedKey(files.secretsKey, 'base64')
}

/*
|--------------------------------------------------------------------------
| Environment: set before the Ignitor validates it (start/env.ts)
|--------------------------------------------------------------------------
| Fixed: what makes this one self-contained process (the embedded database,
| in-process jobs and rate limits). Defaults: everything else; a variable
| already set in the shell wins. No .env file is read (ENV_PATH points at the
| data directory), so a developer's .env for a real server cannot leak in.
*/
function prepareEnv(key: string, secretsKey: string, dbPort: number) {
  const fixed: Record<string, string> = {
    NODE_ENV: 'development',
    PORT: String(port),
    DEMO_MODE: 'true',
    DB_HOST: '127.0.0.1',
    DB_PORT: String(dbPort),
    DB_DATABASE: 'postgres',
    // One pooled connection: every socket shares one PGlite session, so a second
    // connection would only queue behind the first one's transaction.
    DB_POOL_MAX: '1',
    QUEUE_DRIVER: 'memory',
    LIMITER_STORE: 'memory',
  }
  const defaults: Record<string, string> = {
    ENV_PATH: dataDir,
    TZ: 'UTC',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    APP_KEY: key,
    SECRETS_MASTER_KEY: secretsKey,
    APP_NAME: 'lianka',
    APP_URL: `http://localhost:${port}`,
    PLATFORM_DOMAIN: 'localhost',
    DB_USER: 'lianka_app',
    DB_OWNER_USER: 'lianka_owner',
    DB_PLATFORM_USER: 'lianka_platform',
    SESSION_DRIVER: 'cookie',
    // Never connected in demo mode (memory queue and limiter); required by the schema.
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: '6379',
    // Account mails (verification, resets, invitations) become .eml files in <data>/mail.
    MAIL_MAILER: 'outbox',
    MAIL_OUTBOX_DIR: join(dataDir, 'mail'),
    MAIL_FROM_NAME: 'Lianka Demo',
    MAIL_FROM_ADDRESS: 'no-reply@demo.localhost',
    // Required by the schema; not used with the outbox mailer.
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: '1025',
  }
  for (const [name, value] of Object.entries(defaults)) {
    if (process.env[name] === undefined || process.env[name] === '') process.env[name] = value
  }
  Object.assign(process.env, fixed)
  for (const name of [
    'DB_PASSWORD',
    'DB_OWNER_PASSWORD',
    'DB_PLATFORM_PASSWORD',
    'DB_SUPERUSER_URL',
  ]) {
    delete process.env[name]
  }
}

function roleSpec(): RoleSpec {
  return {
    owner: { name: process.env.DB_OWNER_USER! },
    app: { name: process.env.DB_USER! },
    platform: { name: process.env.DB_PLATFORM_USER! },
  }
}

function ident(name: string) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unsafe role name "${name}"`)
  return `"${name}"`
}

/*
|--------------------------------------------------------------------------
| Database: PGlite + socket, roles and grants (as the superuser session)
|--------------------------------------------------------------------------
*/
async function openDatabase(): Promise<DemoDatabase> {
  const database = await startDemoDatabase(files.pgdata, {
    onStall: (ms) =>
      console.warn(
        `[demo] one database connection has held the shared PGlite session for ${Math.round(ms / 1000)} s ` +
          'while others wait: a query on a second connection inside an open transaction cannot ' +
          'progress in demo mode (pass the transaction client instead).'
      ),
  })
  const roles = roleSpec()
  await database.queue.exclusive(async () => {
    const client = {
      query: async (sql: string, params?: unknown[]) => {
        const result = await database.pglite.query(sql, params)
        return { rows: result.rows, rowCount: result.rows.length }
      },
    } as unknown as Parameters<typeof ensureRoles>[0]
    await ensureRoles(client, roles)
    await ensureGrants(client, roles)
  })
  return database
}

/*
|--------------------------------------------------------------------------
| Boot: migrate as the owner role, then the app role for good; seed; check
|--------------------------------------------------------------------------
*/
interface Prepared {
  migrationLine: string
  seed: Awaited<ReturnType<typeof import('../app/demo/seed.js').seedDemo>>
  selfCheckLine: string
  migrateSeconds: string
}

async function prepare(app: ApplicationService, database: DemoDatabase): Promise<Prepared> {
  const roles = roleSpec()
  const from = performance.now()
  const db = await app.container.make('lucid.db')
  const { MigrationRunner } = await import('@adonisjs/lucid/migration')

  await database.exec(`SET ROLE ${ident(roles.owner.name)}`)
  const migrator = new MigrationRunner(db, app, { direction: 'up', connectionName: 'owner' })
  await migrator.run()
  await database.exec(`SET ROLE ${ident(roles.app.name)}`)
  if (migrator.error) throw migrator.error
  const applied = Object.keys(migrator.migratedFiles).length
  const migrationLine = applied ? `migrations: ${applied} applied` : 'migrations: up to date'
  const migrateSeconds = seconds(from)

  const { seedDemo, selfCheck } = await import('../app/demo/seed.js')
  const seed = await seedDemo(files.credentials)
  const check = await selfCheck({ app: roles.app.name, platform: roles.platform.name }, seed.tenant)
  if (!check.ok) {
    throw new DemoError(`refusing to start, ${check.line}`)
  }
  return { migrationLine, seed, selfCheckLine: check.line, migrateSeconds }
}

/*
|--------------------------------------------------------------------------
| Run
|--------------------------------------------------------------------------
*/
let database: DemoDatabase | undefined
let ignitor: Ignitor | undefined
let stopping = false

async function shutdown(code: number) {
  if (stopping) return
  stopping = true
  const force = setTimeout(() => {
    console.error('[demo] shutdown took too long; exiting')
    process.exit(code || 1)
  }, 10_000)
  force.unref()
  try {
    await ignitor?.terminate()
  } catch (error) {
    await prettyPrintError(error)
    code = code || 1
  }
  try {
    await database?.close()
  } catch (error) {
    await prettyPrintError(error)
    code = code || 1
  }
  await unlockDataDir().catch(() => {})
  process.exitCode = code
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!stopping) console.log(`\n[demo] ${signal}: stopping…`)
    void shutdown(0)
  })
}

try {
  await lockDataDir()
  if (options.reset) {
    await resetDataDir()
    console.log(`[demo] --reset: deleted the demo data in ${dataDir}`)
  }
  const key = await appKey()
  const secretsKey = await secretsMasterKey()
  const fresh = !(await readText(resolve(files.pgdata, 'PG_VERSION')))
  console.log(
    `[demo] starting embedded PostgreSQL (PGlite) in ${files.pgdata}` +
      (fresh ? ' — first run, creating it (a few seconds)…' : '…')
  )
  const dbFrom = performance.now()
  // The socket port is only known once listening; roles need the env names first.
  prepareEnv(key, secretsKey, 0)
  database = await openDatabase()
  process.env.DB_PORT = String(database.port)
  const dbSeconds = seconds(dbFrom)

  let prepared: Prepared | undefined
  const openedDatabase = database
  ignitor = new Ignitor(APP_ROOT, { importer: IMPORTER }).tap((app) => {
    app.booting(async () => {
      await import('#start/env')
    })
    app.starting(async () => {
      prepared = await prepare(app, openedDatabase)
    })
    if (!aceArgv) {
      app.ready(async () => {
        const { default: env } = await import('#start/env')
        const { banner } = await import('../app/demo/banner.js')
        const { seed } = prepared!
        const seedLine = seed.created.length
          ? `seed: created ${seed.created.join(', ')} (tenant #${seed.tenant.id})`
          : `seed: demo shop already present (tenant #${seed.tenant.id}), nothing created`
        console.log(
          '\n' +
            banner({
              port,
              platformDomain: env.get('PLATFORM_DOMAIN'),
              shopSlug: seed.tenant.slug,
              shopName: seed.tenant.name,
              merchantEmail: seed.merchantEmail,
              merchantPassword: seed.merchantPassword,
              passwordNote: seed.passwordNote,
              dataDir,
              selfCheckLine: prepared!.selfCheckLine,
              seedLine: `${prepared!.migrationLine}; ${seedLine}`,
              timings: `ready in ${seconds(started)} (database ${dbSeconds}, migrations ${prepared!.migrateSeconds})`,
            }) +
            '\n'
        )
      })
    }
  })

  if (aceArgv) {
    await ignitor.ace().handle(aceArgv)
    await shutdown(Number(process.exitCode ?? 0))
  } else {
    await ignitor.httpServer().start()
  }
} catch (error) {
  if (error instanceof DemoError) {
    console.error(`[demo] ${error.message}`)
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`[demo] port ${port} is in use; choose another with --port <port>`)
  } else {
    await prettyPrintError(error)
  }
  await shutdown(1)
}
