import env from '#start/env'
import type { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * SQL building blocks for migrations. Every tenant table goes through `protectTenantTable`;
 * the security suite (tests/security) fails on any table that is neither protected nor on
 * the platform-global allowlist.
 */

/** The roles that read and write at run time (never the owner). */
export function runtimeRoles(): string[] {
  return [env.get('DB_USER'), env.get('DB_PLATFORM_USER')].map(quoteIdent)
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`Refusing unsafe SQL identifier "${name}"`)
  }
  return `"${name}"`
}

/** The policy expression: the row's tenant is the transaction's tenant; no tenant, no rows. */
export const TENANT_PREDICATE = `tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint`

/**
 * Enable and force RLS with one policy covering reads (USING) and writes (WITH CHECK),
 * and grant DML to the runtime roles.
 */
export function protectTenantTable(schema: BaseSchema, table: string) {
  const t = quoteIdent(table)
  schema.defer(async (db) => {
    await db.rawQuery(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`)
    await db.rawQuery(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`)
    await db.rawQuery(
      `CREATE POLICY tenant_isolation ON ${t} USING (${TENANT_PREDICATE}) WITH CHECK (${TENANT_PREDICATE})`
    )
  })
  grantRuntime(schema, table)
}

type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'

/**
 * Grant each runtime role exactly what it needs on a platform-global table (no RLS there,
 * so grants are the only fence). `app` serves every shop request: keep it minimal.
 */
export function grantGlobal(
  schema: BaseSchema,
  table: string,
  privileges: { app: Privilege[]; platform: Privilege[] }
) {
  const t = quoteIdent(table)
  const [app, platform] = runtimeRoles()
  schema.defer(async (db) => {
    if (privileges.app.length) {
      await db.rawQuery(`GRANT ${privileges.app.join(', ')} ON ${t} TO ${app}`)
    }
    if (privileges.platform.length) {
      await db.rawQuery(`GRANT ${privileges.platform.join(', ')} ON ${t} TO ${platform}`)
    }
  })
}

/** Grant the runtime roles full DML on a table. */
export function grantRuntime(schema: BaseSchema, table: string) {
  const t = quoteIdent(table)
  schema.defer(async (db) => {
    await db.rawQuery(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ${t} TO ${runtimeRoles().join(', ')}`
    )
  })
}

/**
 * Append-only: the runtime roles may only SELECT and INSERT, and a trigger raises on
 * UPDATE or DELETE for every role (the owner included), so history cannot be rewritten
 * by a bug or a stolen app credential.
 */
export function makeAppendOnly(schema: BaseSchema, table: string) {
  const t = quoteIdent(table)
  schema.defer(async (db) => {
    await db.rawQuery(`REVOKE UPDATE, DELETE, TRUNCATE ON ${t} FROM ${runtimeRoles().join(', ')}`)
    await db.rawQuery(
      `CREATE TRIGGER ${quoteIdent(table + '_append_only')} BEFORE UPDATE OR DELETE ON ${t}
       FOR EACH ROW EXECUTE FUNCTION lianka_forbid_mutation()`
    )
  })
}
