import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { setTenantOn } from '#tenancy'
import { quoteIdent } from '#database/helpers/tenancy_sql'
import type { Row, TableInfo } from '#tests/helpers/tenant_fixtures'

/**
 * Small tools for the isolation tests: run one statement as the app role (with or without a
 * tenant) and report what happened, and read a tenant's rows through the platform role.
 */

/** What one statement did: rows affected, or the error PostgreSQL raised. */
export type Outcome =
  | { rows: number; error?: undefined }
  | { rows?: undefined; error: { code: string; message: string } }

/**
 * A transaction on the app role (NOBYPASSRLS), with `SET LOCAL app.tenant_id` when a tenant is
 * given and no tenant setting at all when `tenantId` is null.
 */
export function asApp<T>(
  tenantId: number | null,
  fn: (trx: TransactionClientContract) => Promise<T>
): Promise<T> {
  return db.connection('app').transaction(async (trx) => {
    if (tenantId !== null) await setTenantOn(trx, tenantId)
    return fn(trx)
  })
}

/** Rows returned by one query in a transaction on the app role (see {@link asApp}). */
export async function selectAsApp(tenantId: number | null, sql: string, bindings: unknown[] = []) {
  const result = await asApp(tenantId, (trx) => trx.rawQuery(sql, bindings as any[]))
  return result.rows as Row[]
}

/** Run one statement in its own app-role transaction and capture the outcome instead of throwing. */
export async function attempt(
  tenantId: number | null,
  sql: string,
  bindings: unknown[] = []
): Promise<Outcome> {
  try {
    const result = await asApp(tenantId, (trx) => trx.rawQuery(sql, bindings as any[]))
    return { rows: Number(result.rowCount) }
  } catch (error) {
    const e = error as { code?: string; message: string }
    return { error: { code: String(e.code), message: e.message } }
  }
}

/** `INSERT INTO table (...) VALUES (...)` for one row, with bindings. */
export function insertStatement(table: string, row: Row): { sql: string; bindings: unknown[] } {
  const names = Object.keys(row)
  return {
    sql: `INSERT INTO ${quoteIdent(table)} (${names.map(quoteIdent).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    bindings: Object.values(row),
  }
}

/** A `WHERE` clause matching exactly `row` by primary key (by tenant_id when there is none). */
export function keyOf(info: TableInfo, row: Row): { sql: string; bindings: unknown[] } {
  const columns = info.primaryKey.length ? info.primaryKey : ['tenant_id']
  return {
    sql: columns.map((c) => `${quoteIdent(c)} = ?`).join(' AND '),
    bindings: columns.map((c) => row[c]),
  }
}

/** Every row of one tenant, read through the platform role (BYPASSRLS), in primary key order. */
export async function snapshot(info: TableInfo, tenantId: number): Promise<Row[]> {
  const order = (info.primaryKey.length ? info.primaryKey : ['tenant_id']).map(quoteIdent)
  const result = await db
    .connection('platform')
    .rawQuery(
      `SELECT * FROM ${quoteIdent(info.name)} WHERE tenant_id = ? ORDER BY ${order.join(', ')}`,
      [tenantId]
    )
  return result.rows
}

/** What the app role may do on a table at all (GRANTs), independent of RLS. */
export async function appPrivileges(table: string) {
  const result = await db.connection('app').rawQuery(
    `SELECT has_table_privilege(current_user, to_regclass(quote_ident(?)), 'INSERT') AS can_insert,
            has_table_privilege(current_user, to_regclass(quote_ident(?)), 'UPDATE') AS can_update,
            has_table_privilege(current_user, to_regclass(quote_ident(?)), 'DELETE') AS can_delete`,
    [table, table, table]
  )
  const [r] = result.rows
  return {
    insert: Boolean(r.can_insert),
    update: Boolean(r.can_update),
    delete: Boolean(r.can_delete),
  }
}

/** PostgreSQL's message for a WITH CHECK / USING refusal (SQLSTATE 42501, like missing GRANTs). */
export const RLS_VIOLATION = /row-level security/i
