import pg from 'pg'

/**
 * Creates Lianka's three roles, its databases and their grants, idempotently, from a
 * superuser connection. Used by `node ace db:setup`, the test bootstrap and demo mode.
 */
export interface RoleSpec {
  owner: { name: string; password?: string }
  app: { name: string; password?: string }
  platform: { name: string; password?: string }
}

/**
 * The three roles as configured by DB_OWNER_USER / DB_USER / DB_PLATFORM_USER and their
 * passwords; `get` reads a variable (the validated env service, or process.env).
 */
export function rolesFromEnv(get: (name: string) => string | undefined): RoleSpec {
  const role = (user: string, password: string) => ({
    name: get(user)!,
    password: get(password) || undefined,
  })
  return {
    owner: role('DB_OWNER_USER', 'DB_OWNER_PASSWORD'),
    app: role('DB_USER', 'DB_PASSWORD'),
    platform: role('DB_PLATFORM_USER', 'DB_PLATFORM_PASSWORD'),
  }
}

/**
 * Roles, one database with a clean schema, then migrations run as the owner through the
 * ace entry point in `root` (used by the benchmark scripts, which run outside the app).
 */
export async function prepareFreshDatabase(options: {
  superuserUrl: string
  database: string
  env: NodeJS.ProcessEnv
  root: string
}) {
  await setupDatabases(
    options.superuserUrl,
    [options.database],
    rolesFromEnv((name) => options.env[name]),
    { resetSchema: true }
  )
  const { spawnSync } = await import('node:child_process')
  const migrate = spawnSync(
    process.execPath,
    ['ace.js', 'migration:run', '--connection=owner', '--compact-output'],
    { cwd: options.root, env: options.env, encoding: 'utf8' }
  )
  if (migrate.status !== 0) {
    process.stderr.write(migrate.stdout + migrate.stderr)
    throw new Error('migrations failed')
  }
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/

function ident(name: string) {
  if (!IDENT.test(name)) throw new Error(`Unsafe identifier "${name}"`)
  return `"${name}"`
}

function literal(value: string) {
  return `'${value.replace(/'/g, "''")}'`
}

type Queryable = Pick<pg.Client, 'query'>

/** Create or align the roles. The app role is never superuser, never BYPASSRLS, never owner. */
export async function ensureRoles(client: Queryable, roles: RoleSpec) {
  const attrs = {
    owner: 'LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE',
    app: 'LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT',
    platform: 'LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT',
  } as const
  for (const key of ['owner', 'app', 'platform'] as const) {
    const { name, password } = roles[key]
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])
    const verb = exists.rowCount ? 'ALTER' : 'CREATE'
    const pw = password ? ` PASSWORD ${literal(password)}` : ''
    await client.query(`${verb} ROLE ${ident(name)} WITH ${attrs[key]}${pw}`)
  }
}

/** Create the database owned by the owner role when missing. */
export async function ensureDatabase(client: Queryable, database: string, owner: string) {
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
  if (!exists.rowCount) {
    await client.query(`CREATE DATABASE ${ident(database)} OWNER ${ident(owner)}`)
  }
}

/** Grants inside one database (run while connected to it). */
export async function ensureGrants(client: Queryable, roles: RoleSpec) {
  const owner = ident(roles.owner.name)
  const runtime = `${ident(roles.app.name)}, ${ident(roles.platform.name)}`
  await client.query(`GRANT ALL ON SCHEMA public TO ${owner}`)
  await client.query(`GRANT USAGE ON SCHEMA public TO ${runtime}`)
  await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`)
  await client.query(
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${runtime}`
  )
  await client.query(
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO ${runtime}`
  )
}

/** Everything, for each database name given. */
export async function setupDatabases(
  superuserUrl: string,
  databases: string[],
  roles: RoleSpec,
  options: { resetSchema?: boolean } = {}
) {
  const admin = new pg.Client({ connectionString: superuserUrl })
  await admin.connect()
  try {
    await ensureRoles(admin, roles)
    for (const database of databases) {
      await ensureDatabase(admin, database, roles.owner.name)
    }
  } finally {
    await admin.end()
  }
  for (const database of databases) {
    const url = new URL(superuserUrl)
    url.pathname = `/${database}`
    const client = new pg.Client({ connectionString: url.toString() })
    await client.connect()
    try {
      if (options.resetSchema) {
        await client.query('DROP SCHEMA IF EXISTS public CASCADE')
        await client.query(`CREATE SCHEMA public AUTHORIZATION ${ident(roles.owner.name)}`)
      }
      await ensureGrants(client, roles)
    } finally {
      await client.end()
    }
  }
}
