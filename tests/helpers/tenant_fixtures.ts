import { randomBytes, randomInt, randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { setTenantOn } from '#tenancy'

/**
 * Generic fixtures for the security suite: a valid row for ANY table, built from the catalog
 * (information_schema.columns + pg_constraint), so a table added by a later migration or a
 * plugin is covered without anyone writing a factory for it first.
 *
 * Rows are written by the owner role inside a transaction with `SET LOCAL app.tenant_id`
 * set to the row's tenant: the owner has every privilege, and because RLS is forced on
 * tenant tables the insert still passes through the tenant policy (no bypass involved).
 */

/** One column as the fixture builder needs it. */
export interface ColumnInfo {
  name: string
  /** `information_schema.columns.data_type`, e.g. `character varying`, `bigint`, `ARRAY`. */
  dataType: string
  /** Underlying type name, e.g. `varchar`, `int8`, an enum's name, `_text` for arrays. */
  udtName: string
  maxLength: number | null
  numericPrecision: number | null
  numericScale: number | null
  notNull: boolean
  hasDefault: boolean
  isIdentity: boolean
  isGenerated: boolean
}

/** One constraint: `p` primary key, `u` unique, `f` foreign key, `c` check, `x` exclusion. */
export interface ConstraintInfo {
  name: string
  type: 'p' | 'u' | 'f' | 'c' | 'x' | 't' | 'n'
  /** `pg_get_constraintdef()` */
  definition: string
  /** Constrained columns, in key order. */
  columns: string[]
  /** Foreign keys only: the referenced table and its columns, in key order. */
  refTable: string | null
  refColumns: string[]
}

/** What the catalog says about one table in schema `public`. */
export interface TableInfo {
  name: string
  columns: ColumnInfo[]
  constraints: ConstraintInfo[]
  primaryKey: string[]
  rlsEnabled: boolean
  rlsForced: boolean
  hasTenantId: boolean
}

/** Column values by column name. */
export type Row = Record<string, unknown>

/**
 * Read one table's columns, constraints and RLS flags from the catalog.
 *
 * @param client any connection that can see the catalog (the owner sees every column).
 */
export async function describeTable(
  client: QueryClientContract,
  table: string
): Promise<TableInfo> {
  const columns = await client.rawQuery(
    `SELECT c.column_name, c.data_type, c.udt_name, c.character_maximum_length,
            c.numeric_precision, c.numeric_scale, c.is_nullable, c.column_default,
            c.is_identity, c.is_generated
       FROM information_schema.columns c
      WHERE c.table_schema = 'public' AND c.table_name = ?
      ORDER BY c.ordinal_position`,
    [table]
  )
  if (!columns.rows.length) throw new Error(`describeTable: no table public.${table}`)

  const constraints = await client.rawQuery(
    `SELECT con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid) AS definition,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
                   ORDER BY k.ord) AS columns,
            ref.relname::text AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
                   ORDER BY k.ord) AS ref_columns
       FROM pg_constraint con
       LEFT JOIN pg_class ref ON ref.oid = con.confrelid
      WHERE con.conrelid = to_regclass(quote_ident(?))
      ORDER BY con.conname`,
    [table]
  )
  const flags = await client.rawQuery(
    `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass(quote_ident(?))`,
    [table]
  )

  const info: TableInfo = {
    name: table,
    columns: columns.rows.map((r: any) => ({
      name: r.column_name,
      dataType: r.data_type,
      udtName: r.udt_name,
      maxLength: r.character_maximum_length === null ? null : Number(r.character_maximum_length),
      numericPrecision: r.numeric_precision === null ? null : Number(r.numeric_precision),
      numericScale: r.numeric_scale === null ? null : Number(r.numeric_scale),
      notNull: r.is_nullable === 'NO',
      hasDefault: r.column_default !== null,
      isIdentity: r.is_identity === 'YES',
      isGenerated: r.is_generated === 'ALWAYS',
    })),
    constraints: constraints.rows.map((r: any) => ({
      name: r.name,
      type: r.type,
      definition: r.definition,
      columns: r.columns,
      refTable: r.ref_table,
      refColumns: r.ref_columns,
    })),
    primaryKey: [],
    rlsEnabled: Boolean(flags.rows[0]?.relrowsecurity),
    rlsForced: Boolean(flags.rows[0]?.relforcerowsecurity),
    hasTenantId: false,
  }
  info.primaryKey = info.constraints.find((c) => c.type === 'p')?.columns ?? []
  info.hasTenantId = info.columns.some((c) => c.name === 'tenant_id')
  return info
}

/** Every table in schema `public` (partitioned parents and partitions included), sorted. */
export async function listPublicTables(client: QueryClientContract): Promise<string[]> {
  const result = await client.rawQuery(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`
  )
  return result.rows.map((r: { tablename: string }) => r.tablename)
}

/** Random lower-case hex of exactly `length` characters. */
function hex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length)
}

/**
 * Remove type casts as PostgreSQL prints them in `pg_get_constraintdef` / `pg_get_expr`,
 * so `(status)::text = 'a'::text` reads `(status) = 'a'`.
 */
export function stripCasts(sql: string): string {
  return sql.replace(
    /::(?:"[^"]+"|[a-z_][a-z0-9_]*(?: (?:varying|precision|with(?:out)? time zone))*)(?:\[\])*/gi,
    ''
  )
}

/** Values a single-column CHECK allows when it is an `IN (...)` / `= ANY (ARRAY[...])` / `= 'x'`. */
export function allowedValuesFromCheck(definition: string, column: string): unknown[] | null {
  const def = stripCasts(definition)
  // the column itself, not a function argument such as char_length(col)
  const col = `(?:\\(?"?(?<!\\w\\()(?<!\\w)${column}"?\\)?)`
  const arrayMatch = new RegExp(`${col}\\s*=\\s*ANY\\s*\\(+ARRAY\\[(.*?)\\]`, 'i').exec(def)
  const single = new RegExp(`${col}\\s*=\\s*('(?:[^']|'')*'|-?\\d+(?:\\.\\d+)?)\\)`, 'i').exec(def)
  const list = arrayMatch ? arrayMatch[1] : single ? single[1] : null
  if (list === null || /\bOR\b|\bNOT\b/i.test(def)) return null
  const values: unknown[] = []
  const item = /'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)/g
  for (let m = item.exec(list); m; m = item.exec(list)) {
    values.push(m[1] !== undefined ? m[1].replace(/''/g, "'") : Number(m[2]))
  }
  return values.length ? values : null
}

interface Bounds {
  min?: number
  max?: number
}

/** `col > 0`, `col >= 1 AND col <= 5`, `char_length(col) = 64` ... found in a CHECK definition. */
function boundsFromChecks(checks: ConstraintInfo[], column: string, length: boolean): Bounds {
  const bounds: Bounds = {}
  const name = `"?(?<!\\w)${column}"?`
  const target = length
    ? `(?:char_length|length|octet_length)\\s*\\(+${name}\\)*`
    : `\\(*(?<!\\w\\()${name}\\)*`
  const pattern = new RegExp(`${target}\\s*(>=|<=|<>|=|>|<)\\s*\\(*(-?\\d+(?:\\.\\d+)?)`, 'gi')
  for (const check of checks) {
    const def = stripCasts(check.definition)
    for (let m = pattern.exec(def); m; m = pattern.exec(def)) {
      const n = Number(m[2])
      const op = m[1]
      if (op === '>' || op === '>=')
        bounds.min = Math.max(bounds.min ?? -Infinity, op === '>' ? n + 1 : n)
      if (op === '<' || op === '<=')
        bounds.max = Math.min(bounds.max ?? Infinity, op === '<' ? n - 1 : n)
      if (op === '=') {
        bounds.min = n
        bounds.max = n
      }
    }
  }
  return bounds
}

/**
 * Values chosen by column name where a random string would not do. Small on purpose:
 * extend it when a new table needs a realistic value (a failing fixture names the column).
 */
const NAME_HINTS: Array<[RegExp, (max: number | null) => unknown]> = [
  [/email$/, (max) => `${hex(12)}@example.test`.slice(-(max ?? 64))],
  [/currency$/, () => 'CNY'],
  [/locale$/, () => 'zh-CN'],
  [/(^|_)ip$/, () => `203.0.113.${randomInt(1, 255)}`],
  [/url$/, () => `https://example.test/${hex(12)}`],
]

/**
 * A type-appropriate value for a column that must be filled. Random where it can be, so
 * unique constraints (including expression indexes such as `lower(email)`) hold.
 */
async function valueFor(
  client: QueryClientContract,
  table: TableInfo,
  column: ColumnInfo
): Promise<unknown> {
  const checks = table.constraints.filter((c) => c.type === 'c' && c.columns.includes(column.name))
  for (const check of checks.filter((c) => c.columns.length === 1)) {
    const allowed = allowedValuesFromCheck(check.definition, column.name)
    if (allowed) return allowed[randomInt(allowed.length)]
  }

  const where = `${table.name}.${column.name} (${column.dataType}/${column.udtName})`
  switch (column.dataType) {
    case 'text':
    case 'character varying':
    case 'character':
    case 'citext': {
      for (const [pattern, make] of NAME_HINTS) {
        if (pattern.test(column.name)) return make(column.maxLength)
      }
      const len = boundsFromChecks(checks, column.name, true)
      const max = Math.min(column.maxLength ?? 64, len.max ?? Infinity)
      const wanted = column.dataType === 'character' ? max : /hash$/.test(column.name) ? max : 24
      return hex(Math.max(len.min ?? 1, Math.min(wanted, max)))
    }
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'numeric':
    case 'real':
    case 'double precision': {
      const b = boundsFromChecks(checks, column.name, false)
      const typeMax =
        column.dataType === 'smallint'
          ? 32_767
          : column.dataType === 'numeric' && column.numericPrecision !== null
            ? 10 ** (column.numericPrecision - (column.numericScale ?? 0)) - 1
            : 1_000_000_000
      const min = Math.ceil(b.min ?? 1)
      const max = Math.floor(Math.min(b.max ?? typeMax, typeMax))
      if (min > max) throw new Error(`fixture: cannot satisfy numeric bounds on ${where}`)
      return min === max ? min : randomInt(min, max + 1)
    }
    case 'boolean':
      return false
    case 'date':
      return '2031-01-01'
    case 'timestamp with time zone':
    case 'timestamp without time zone':
      return new Date(Date.now() + 86_400_000).toISOString()
    case 'time without time zone':
    case 'time with time zone':
      return '12:00:00'
    case 'interval':
      return '1 hour'
    case 'json':
    case 'jsonb':
      return '{}'
    case 'uuid':
      return randomUUID()
    case 'bytea':
      return randomBytes(16)
    case 'inet':
      return `203.0.113.${randomInt(1, 255)}`
    case 'cidr':
      return '203.0.113.0/24'
    case 'ARRAY':
      return '{}'
    case 'tsvector':
      return ''
    case 'USER-DEFINED': {
      const labels = await client.rawQuery(
        `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
          WHERE t.typname = ? ORDER BY e.enumsortorder LIMIT 1`,
        [column.udtName]
      )
      if (labels.rows.length) return labels.rows[0].enumlabel
      if (column.udtName === 'citext') return hex(24)
      break
    }
  }
  throw new Error(
    `fixture: no value generator for ${where}; add one to tests/helpers/tenant_fixtures.ts`
  )
}

/** A column the database will not fill by itself and that may not be NULL. */
function mustFill(column: ColumnInfo): boolean {
  return column.notNull && !column.hasDefault && !column.isIdentity && !column.isGenerated
}

const MAX_PARENT_DEPTH = 8

/**
 * Nullable foreign keys a valid row still needs, where a multi-column check says so
 * (`payment_attempts`: the default purpose `order` needs an order).
 */
const FILL_NULLABLE: Record<string, string[]> = {
  payment_attempts: ['order_id'],
}

/**
 * Builds and inserts valid rows for any table, creating foreign-key parents recursively:
 * a parent in a tenant table is created in the same tenant, a reference to `tenants(id)`
 * resolves to the row's own tenant, and global parents (users, platform_admins, ...) are
 * created as plain rows. Catalog reads are cached per instance.
 */
export class TenantFixtures {
  #tables = new Map<string, TableInfo>()

  /** @param connection the connection that writes fixtures (default: the schema owner). */
  constructor(private connection = 'owner') {}

  /** Catalog description of `table`, cached. */
  async describe(table: string): Promise<TableInfo> {
    let info = this.#tables.get(table)
    if (!info) {
      info = await describeTable(db.connection(this.connection), table)
      this.#tables.set(table, info)
    }
    return info
  }

  /**
   * Column values for a new, valid row of `table` belonging to `tenantId`, WITHOUT inserting
   * it; its foreign-key parents are inserted (and committed) first. Use it to attempt the
   * insert yourself, e.g. as the app role in another tenant's context.
   *
   * @param tenantId  the tenant the row (and its tenant parents) belong to; null for a
   *                  global table that has no tenant.
   * @param overrides values to use as given (they also skip parent creation for their FK).
   * @param depth     recursion depth through foreign keys (internal).
   */
  async prepareRow(
    table: string,
    tenantId: number | null,
    overrides: Row = {},
    depth = 0
  ): Promise<Row> {
    if (depth > MAX_PARENT_DEPTH) {
      throw new Error(
        `fixture: foreign keys nest deeper than ${MAX_PARENT_DEPTH} at ${table} (a required cycle?)`
      )
    }
    const info = await this.describe(table)
    const row: Row = {}
    if (info.hasTenantId && tenantId !== null) row.tenant_id = tenantId
    Object.assign(row, overrides)

    const byName = new Map(info.columns.map((c) => [c.name, c]))
    for (const fk of info.constraints.filter((c) => c.type === 'f')) {
      const unset = fk.columns.filter((col) => !(col in row))
      // Columns with a default (tenants.plan_code → 'standard') keep it: no parent needed.
      const needed = (col: string) =>
        mustFill(byName.get(col)!) || FILL_NULLABLE[table]?.includes(col)
      if (!unset.length || !unset.some(needed)) continue
      if (fk.refTable === 'tenants' && fk.refColumns.length === 1 && fk.refColumns[0] === 'id') {
        if (tenantId === null) throw new Error(`fixture: ${table}.${fk.columns[0]} needs a tenant`)
        row[fk.columns[0]] = tenantId
        continue
      }
      const parentOverrides: Row = {}
      fk.columns.forEach((col, i) => {
        if (col in row) parentOverrides[fk.refColumns[i]] = row[col]
      })
      const parent = await this.insertRow(fk.refTable!, tenantId, parentOverrides, depth + 1)
      fk.columns.forEach((col, i) => {
        if (!(col in row)) row[col] = parent[fk.refColumns[i]]
      })
    }

    const client = db.connection(this.connection)
    for (const column of info.columns) {
      if (!(column.name in row) && mustFill(column))
        row[column.name] = await valueFor(client, info, column)
    }
    return row
  }

  /**
   * Insert a valid row of `table` for `tenantId` (parents first) and return it as stored,
   * with every column (`RETURNING *`).
   */
  async insertRow(
    table: string,
    tenantId: number | null,
    overrides: Row = {},
    depth = 0
  ): Promise<Row> {
    // Random values rarely collide with a unique constraint; when they do, draw again.
    for (let attempt = 1; ; attempt++) {
      const row = await this.prepareRow(table, tenantId, overrides, depth)
      try {
        return await db.connection(this.connection).transaction(async (trx) => {
          if (tenantId !== null) await setTenantOn(trx, tenantId)
          const [stored] = await trx.table(table).insert(row).returning('*')
          return stored as Row
        })
      } catch (error) {
        if ((error as { code?: string }).code === '23505' && attempt < 5) continue
        const values = JSON.stringify(row, (_k, v) =>
          Buffer.isBuffer(v) ? `<${v.length} bytes>` : v
        )
        const message = `fixture: insert into ${table} failed (${(error as Error).message}); values ${values}`
        throw new Error(message, { cause: error })
      }
    }
  }

  /** The id of a new shop (see {@link createTenant}). */
  async newTenantId(): Promise<number> {
    const { id } = await this.createTenant()
    return id
  }

  /** A new shop (status `active`), returned with its id. */
  async createTenant(): Promise<{ id: number; slug: string }> {
    const stored = await this.insertRow('tenants', null, {
      slug: `fx-${hex(16)}`,
      status: 'active',
    })
    return { id: Number(stored.id), slug: String(stored.slug) }
  }
}
