import env from '#start/env'
import { defineConfig } from '@adonisjs/lucid'
import pg from 'pg'
import { existsSync, readdirSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { checkPluginMigrationsSync } from '#plugin_host/assets'

/**
 * int8 (bigint) columns arrive as JS numbers when they fit exactly, and the read fails
 * loudly when they do not: ids and minor-unit amounts never lose precision silently.
 */
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new RangeError(`E_BIGINT_UNSAFE: ${value} exceeds 2^53-1`)
  return n
})

/**
 * Three connections, three PostgreSQL roles (docs/architecture.md, Database roles):
 *
 * - `app`      NOSUPERUSER NOBYPASSRLS, not the owner: serves every request and job.
 * - `platform` BYPASSRLS: only through `withPlatform()` (app/tenancy), each use audited.
 * - `owner`    owns the schema and runs migrations.
 *
 * In demo mode the three connections reach one embedded PGlite session; roles are then
 * switched with `SET ROLE` / `SET LOCAL ROLE` (bin/demo.ts, app/tenancy/platform.ts).
 */
const host = env.get('DB_HOST')
const port = env.get('DB_PORT')
const database = env.get('DB_DATABASE')
const poolMax = env.get('DB_POOL_MAX') ?? 10

/**
 * The platform's migrations, then each first-party plugin's (`plugins/<id>/migrations`,
 * in plugin id order): plugin tables build on the core's (tenants). A plugin whose
 * migrations touch anything but its own `plg_<id>_*` tables (or run raw SQL) is left out
 * here, so `migration:run` never runs them; `node ace plugins:check` says why.
 */
function pluginMigrationPaths(): string[] {
  const root = app.makePath('plugins')
  if (!existsSync(root)) return []
  return readdirSync(root)
    .filter((id) => /^[a-z][a-z0-9-]{1,39}$/.test(id))
    .sort()
    .filter((id) => existsSync(app.makePath('plugins', id, 'migrations')))
    .filter((id) => {
      const problems = checkPluginMigrationsSync(app.makePath('plugins', id, 'migrations'), id)
      if (problems.length) {
        console.error(`plugin ${id}: migrations not run:\n  - ${problems.join('\n  - ')}`)
      }
      return problems.length === 0
    })
    .map((id) => `plugins/${id}/migrations`)
}

const migrations = {
  naturalSort: true,
  paths: ['database/migrations', ...pluginMigrationPaths()],
}

const dbConfig = defineConfig({
  connection: 'app',
  prettyPrintDebugQueries: false,
  connections: {
    app: {
      client: 'pg',
      connection: {
        host,
        port,
        database,
        user: env.get('DB_USER'),
        password: env.get('DB_PASSWORD'),
      },
      pool: { min: 0, max: poolMax },
      migrations,
      schemaGeneration: { enabled: false },
    },
    platform: {
      client: 'pg',
      connection: {
        host,
        port,
        database,
        user: env.get('DB_PLATFORM_USER'),
        password: env.get('DB_PLATFORM_PASSWORD'),
      },
      pool: { min: 0, max: Math.max(2, Math.floor(poolMax / 2)) },
      migrations,
      schemaGeneration: { enabled: false },
    },
    owner: {
      client: 'pg',
      connection: {
        host,
        port,
        database,
        user: env.get('DB_OWNER_USER'),
        password: env.get('DB_OWNER_PASSWORD'),
      },
      pool: { min: 0, max: 2 },
      migrations,
      schemaGeneration: { enabled: false },
    },
  },
})

export default dbConfig
