import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import { setTenantOn } from '#tenancy'
import { quoteIdent } from '#database/helpers/tenancy_sql'
import { truncateAll } from '#tests/helpers/database'
import {
  TenantFixtures,
  describeTable,
  listPublicTables,
  type TableInfo,
  type Row,
} from '#tests/helpers/tenant_fixtures'
import { isTenantBound, TENANT_SETTING } from '#tests/security/policy_expression'
import {
  appPrivileges,
  asApp,
  attempt,
  insertStatement,
  keyOf,
  RLS_VIOLATION,
  selectAsApp,
  snapshot,
} from '#tests/security/isolation_probes'

/**
 * Platform-global tables: the ONLY tables in schema `public` allowed without tenant RLS.
 * Every other table, whoever adds it (plugins too), is a tenant table and must be fully
 * protected (docs/architecture.md, Tenancy). Each entry needs a one-line reason.
 */
const PLATFORM_GLOBAL_TABLES: ReadonlySet<string> = new Set([
  'tenants', // the shops themselves; resolved from the Host header before any tenant is known
  'users', // merchant accounts; one login may belong to several shops
  'platform_admins', // platform staff, no tenant
  'auth_access_tokens', // API tokens of users; looked up before a tenant context exists
  'password_reset_tokens', // per user account, not per shop
  'platform_audit_events', // platform-level audit log (append-only), read by platform admins only
  'platform_audit_head', // one row: seq and hash of the platform audit chain's last link, no log content
  'job_failures', // dead letters of the job runner, may concern any shop; platform-only screen
  'ledger_verifications', // runs of the ledger/audit chain verification; platform-only screen
  'plugin_authors', // platform user accounts that publish plugins; not owned by a shop
  'plugins', // the platform's plugin catalogue (ids, first-party flag, author)
  'plans', // the platform's plans and their fee rates
  'gateway_accounts', // gateway account id (Stripe acct_…) → shop, for platform-level webhooks
  'plugin_versions', // submitted versions, their manifest summary and platform review
  'adonis_schema', // migration bookkeeping (Lucid)
  'adonis_schema_versions', // migration bookkeeping (Lucid)
])

const owner = () => db.connection('owner')
const fixtures = new TenantFixtures('owner')

/*
 * Discovery happens at import time (the runner's setup hook has migrated the test database
 * by then), so every tenant table gets its own named tests, plugin tables included, without
 * editing this file. The catalog test below discovers again at run time.
 */
const PUBLIC_TABLES = await listPublicTables(owner())
const TENANT_TABLES = PUBLIC_TABLES.filter((t) => !PLATFORM_GLOBAL_TABLES.has(t))
const APPEND_ONLY_TABLES = await appendOnlyTables()

/** Tables guarded by the `lianka_forbid_mutation()` trigger (database/helpers/tenancy_sql.ts). */
async function appendOnlyTables(): Promise<string[]> {
  const result = await owner().rawQuery(
    `SELECT DISTINCT c.relname AS table_name
       FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE n.nspname = 'public' AND p.proname = 'lianka_forbid_mutation' AND NOT t.tgisinternal
      ORDER BY 1`
  )
  return result.rows.map((r: { table_name: string }) => r.table_name)
}

/** Foreign keys from a table to another tenant table (those must be tenant-composite). */
function tenantForeignKeys(info: TableInfo) {
  return info.constraints.filter(
    (c) => c.type === 'f' && c.refTable !== null && !PLATFORM_GLOBAL_TABLES.has(c.refTable)
  )
}

interface PolicyRow {
  policyname: string
  permissive: string
  roles: string[]
  cmd: string
  qual: string | null
  with_check: string | null
}

/** Everything wrong with one tenant table, as sentences that start with the table's name. */
async function tableProblems(info: TableInfo, appRole: string): Promise<string[]> {
  const t = info.name
  const problems: string[] = []

  const tenantId = info.columns.find((c) => c.name === 'tenant_id')
  if (!tenantId) problems.push(`${t}: no tenant_id column`)
  else if (!tenantId.notNull) problems.push(`${t}: tenant_id is nullable`)
  if (!info.rlsEnabled) problems.push(`${t}: row level security is not enabled`)
  if (!info.rlsForced) problems.push(`${t}: row level security is not forced`)

  const { rows: policies } = (await owner().rawQuery(
    `SELECT policyname, permissive, roles::text[] AS roles, cmd, qual, with_check
       FROM pg_policies WHERE schemaname = 'public' AND tablename = ?`,
    [t]
  )) as { rows: PolicyRow[] }
  const permissive = policies.filter((p) => p.permissive === 'PERMISSIVE')
  const mainPolicy = permissive.find(
    (p) =>
      p.cmd === 'ALL' &&
      (p.roles.includes('public') || p.roles.includes(appRole)) &&
      isTenantBound(p.qual) &&
      isTenantBound(p.with_check)
  )
  if (!mainPolicy) {
    const found = policies.map(
      (p) => `${p.policyname} ${p.cmd} USING ${p.qual} CHECK ${p.with_check}`
    )
    problems.push(
      `${t}: no permissive FOR ALL policy with USING and WITH CHECK on tenant_id = ${TENANT_SETTING} ` +
        `(found: ${found.join('; ') || 'none'})`
    )
  }
  // Permissive policies are OR-ed: a single loose one opens the table.
  for (const p of permissive) {
    if (['ALL', 'SELECT', 'UPDATE', 'DELETE'].includes(p.cmd) && !isTenantBound(p.qual)) {
      problems.push(`${t}: policy ${p.policyname} (${p.cmd}) USING is not tenant-bound: ${p.qual}`)
    }
    if (['ALL', 'INSERT', 'UPDATE'].includes(p.cmd) && !isTenantBound(p.with_check ?? p.qual)) {
      problems.push(
        `${t}: policy ${p.policyname} (${p.cmd}) WITH CHECK is not tenant-bound: ${p.with_check}`
      )
    }
  }

  if (info.primaryKey.join(', ') !== 'tenant_id, id') {
    problems.push(`${t}: primary key is (${info.primaryKey.join(', ')}), expected (tenant_id, id)`)
  }

  for (const fk of tenantForeignKeys(info)) {
    const composite =
      fk.columns.length >= 2 && fk.columns[0] === 'tenant_id' && fk.refColumns[0] === 'tenant_id'
    if (!composite) {
      problems.push(
        `${t}: foreign key ${fk.name} (${fk.columns.join(', ')}) -> ${fk.refTable} ` +
          `(${fk.refColumns.join(', ')}) must be composite and start with tenant_id on both sides`
      )
    }
  }
  return problems
}

test.group('schema catalog', () => {
  test('every table in public is platform-global or a fully protected tenant table', async ({
    assert,
  }) => {
    const tables = await listPublicTables(owner())
    assert.includeMembers(tables, ['tenants', 'adonis_schema'], 'the catalog query sees the schema')
    const problems: string[] = []
    for (const table of tables.filter((t) => !PLATFORM_GLOBAL_TABLES.has(t))) {
      const info = await describeTable(owner(), table)
      problems.push(...(await tableProblems(info, env.get('DB_USER'))))
    }
    assert.deepEqual(problems, [], `unprotected tenant tables:\n  ${problems.join('\n  ')}`)
  })

  test('the policy check accepts the tenant predicate and rejects loose ones', ({ assert }) => {
    const good = `(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::bigint)`
    assert.isTrue(isTenantBound(good))
    assert.isTrue(isTenantBound(`(${good} AND (deleted_at IS NULL))`))
    assert.isFalse(isTenantBound(`(${good} OR true)`))
    assert.isTrue(isTenantBound(`(${good} AND ((status = 'a') OR true))`), 'AND narrows')
    assert.isFalse(isTenantBound(`((${good} AND (x = 1)) OR true)`), 'OR widens')
    assert.isFalse(
      isTenantBound(`(tenant_id = (current_setting('app.tenant_id'::text, true))::bigint)`),
      'without NULLIF'
    )
    assert.isFalse(
      isTenantBound(
        `(shop_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::bigint)`
      ),
      'another column'
    )
    assert.isFalse(isTenantBound('true'))
    assert.isFalse(isTenantBound(null))
  })

  test('no materialized view in public (RLS does not apply to them)', async ({ assert }) => {
    const { rows } = await owner().rawQuery(
      `SELECT matviewname FROM pg_matviews WHERE schemaname = 'public'`
    )
    assert.deepEqual(rows, [])
  })

  test('discovery found tenant and append-only tables', ({ assert }) => {
    assert.isNotEmpty(TENANT_TABLES, 'no tenant tables discovered')
    assert.include(APPEND_ONLY_TABLES, 'audit_events', 'audit_events is not append-only')
    // Plugin migrations (plugins/<id>/migrations) ran and their tables are checked here too.
    assert.include(TENANT_TABLES, 'plg_notify_webhook_deliveries', 'plugin tables not covered')
  })
})

/* ---------------------------------------------------------------------------------------- */
/* Per-table isolation, as the app role (NOBYPASSRLS), for every discovered tenant table     */
/* ---------------------------------------------------------------------------------------- */

/** Two shops with one row each in `table` (parents in the same shop), written by the owner. */
async function twoTenants(table: string) {
  const info = await fixtures.describe(table)
  if (!info.hasTenantId) throw new Error(`${table}: no tenant_id column, cannot test isolation`)
  const a = await fixtures.newTenantId()
  const b = await fixtures.newTenantId()
  const rowA = await fixtures.insertRow(table, a)
  const rowB = await fixtures.insertRow(table, b)
  return {
    info,
    a,
    b,
    rowA,
    rowB,
    beforeA: await snapshot(info, a),
    beforeB: await snapshot(info, b),
  }
}

/** [label, sql, bindings, rows the statement must affect in A's context] */
type Probe = [string, string, unknown[], number]

for (const table of TENANT_TABLES) {
  const T = quoteIdent(table)
  const tenantFks = tenantForeignKeys(await fixtures.describe(table))

  test.group(`isolation / ${table}`, (group) => {
    group.each.setup(() => truncateAll())

    test(`${table}: tenant A reads and writes its own rows (control)`, async ({ assert }) => {
      const { info, a, rowA } = await twoTenants(table)
      const own = keyOf(info, rowA)
      const seenOwn = await selectAsApp(a, `SELECT * FROM ${T} WHERE ${own.sql}`, own.bindings)
      assert.lengthOf(seenOwn, 1, `${table}: SELECT in A's context does not see A's own row`)

      const privileges = await appPrivileges(table)
      if (!privileges.insert) return
      const fresh = await fixtures.prepareRow(table, a)
      const [stored] = await asApp(a, (trx) => trx.table(table).insert(fresh).returning('*'))
      const key = keyOf(info, stored)
      const seen = await selectAsApp(a, `SELECT * FROM ${T} WHERE ${key.sql}`, key.bindings)
      assert.lengthOf(seen, 1, `${table}: A does not see the row it just inserted`)
    })

    test(`${table}: tenant A cannot SELECT tenant B's rows`, async ({ assert }) => {
      const { info, a, b, rowB, beforeA } = await twoTenants(table)
      const all = await selectAsApp(a, `SELECT * FROM ${T}`)
      assert.isTrue(
        all.every((r) => Number(r.tenant_id) === a),
        `${table}: SELECT in A's context returned rows of another tenant`
      )
      assert.lengthOf(all, beforeA.length, `${table}: SELECT in A's context must return A's rows`)
      const byTenant = await selectAsApp(a, `SELECT * FROM ${T} WHERE tenant_id = ?`, [b])
      assert.lengthOf(byTenant, 0, `${table}: SELECT ... WHERE tenant_id = B in A's context`)
      const key = keyOf(info, rowB)
      const byKey = await selectAsApp(a, `SELECT * FROM ${T} WHERE ${key.sql}`, key.bindings)
      assert.lengthOf(byKey, 0, `${table}: SELECT of B's row by primary key in A's context`)
    })

    test(`${table}: tenant A cannot UPDATE tenant B's rows`, async ({ assert }) => {
      const { info, a, b, rowB, beforeA, beforeB } = await twoTenants(table)
      const { update: granted } = await appPrivileges(table)
      const key = keyOf(info, rowB)
      const probes: Probe[] = [
        [
          'UPDATE of B by tenant_id',
          `UPDATE ${T} SET tenant_id = tenant_id WHERE tenant_id = ?`,
          [b],
          0,
        ],
        [
          'UPDATE moving B to A',
          `UPDATE ${T} SET tenant_id = ? WHERE ${key.sql}`,
          [a, ...key.bindings],
          0,
        ],
        ['UPDATE without WHERE', `UPDATE ${T} SET tenant_id = tenant_id`, [], beforeA.length],
      ]
      for (const [label, sql, bindings, expected] of probes) {
        const outcome = await attempt(a, sql, bindings)
        if (outcome.error) {
          // Only acceptable when the app role has no UPDATE at all (append-only tables).
          assert.isFalse(
            granted,
            `${table}: ${label} in A's context failed: ${outcome.error.message}`
          )
          assert.equal(outcome.error.code, '42501', `${table}: ${label}: ${outcome.error.message}`)
        } else {
          assert.equal(outcome.rows, expected, `${table}: ${label} in A's context: rows affected`)
        }
      }
      assert.deepEqual(await snapshot(info, b), beforeB, `${table}: B's rows changed (UPDATE as A)`)
    })

    test(`${table}: tenant A cannot DELETE tenant B's rows`, async ({ assert }) => {
      const { info, a, b, rowB, beforeA, beforeB } = await twoTenants(table)
      const { delete: granted } = await appPrivileges(table)
      const key = keyOf(info, rowB)
      const probes: Probe[] = [
        ['DELETE of B by key', `DELETE FROM ${T} WHERE ${key.sql}`, key.bindings, 0],
        ['DELETE of B by tenant_id', `DELETE FROM ${T} WHERE tenant_id = ?`, [b], 0],
        ['DELETE without WHERE', `DELETE FROM ${T}`, [], beforeA.length],
      ]
      for (const [label, sql, bindings, expected] of probes) {
        const outcome = await attempt(a, sql, bindings)
        if (outcome.error) {
          assert.isFalse(
            granted,
            `${table}: ${label} in A's context failed: ${outcome.error.message}`
          )
          assert.equal(outcome.error.code, '42501', `${table}: ${label}: ${outcome.error.message}`)
        } else {
          assert.equal(outcome.rows, expected, `${table}: ${label} in A's context: rows affected`)
        }
      }
      assert.deepEqual(await snapshot(info, b), beforeB, `${table}: B's rows changed (DELETE as A)`)
    })

    test(`${table}: tenant A cannot INSERT rows for tenant B`, async ({ assert }) => {
      const { info, a, b, beforeB } = await twoTenants(table)
      const insert = insertStatement(table, await fixtures.prepareRow(table, b))
      const outcome = await attempt(a, insert.sql, insert.bindings)
      assert.isDefined(outcome.error, `${table}: INSERT with tenant_id = B succeeded as A`)
      assert.equal(outcome.error?.code, '42501', `${table}: INSERT as B: ${outcome.error?.message}`)
      assert.match(
        outcome.error!.message,
        RLS_VIOLATION,
        `${table}: INSERT as B not refused by RLS`
      )
      assert.deepEqual(await snapshot(info, b), beforeB, `${table}: B's rows changed (INSERT as A)`)
    })

    if (tenantFks.length) {
      test(`${table}: a row of tenant A cannot reference tenant B's rows`, async ({ assert }) => {
        const { a, b } = await twoTenants(table)
        // Parents created in B, the row itself claims A: only a composite FK refuses this.
        const mixed: Row = { ...(await fixtures.prepareRow(table, b)), tenant_id: a }
        // A table whose tenant references are all optional (left NULL by the fixtures):
        // point them at B's rows, so the probe still reaches a foreign key.
        const set = (col: string) => mixed[col] !== null && mixed[col] !== undefined
        const anySet = tenantFks.some((fk) => fk.columns.every(set))
        for (const fk of anySet ? [] : tenantFks) {
          const parent = await fixtures.insertRow(fk.refTable!, b)
          fk.columns.forEach((col, i) => {
            if (col !== 'tenant_id') mixed[col] = parent[fk.refColumns[i]]
          })
        }
        const insert = insertStatement(table, mixed)
        const outcome = await attempt(a, insert.sql, insert.bindings)
        const via = tenantFks.map((f) => f.name).join(', ')
        assert.isDefined(
          outcome.error,
          `${table}: A's row pointing at B's rows via ${via} accepted`
        )
        assert.equal(outcome.error?.code, '23503', `${table}: ${outcome.error?.message}`)
      })
    }

    test(`${table}: without a tenant there are no rows and writes fail`, async ({ assert }) => {
      const { info, a, b, beforeA, beforeB } = await twoTenants(table)
      const all = await selectAsApp(null, `SELECT * FROM ${T}`).catch((error: Error) =>
        assert.fail(`${table}: SELECT without tenant context failed: ${error.message}`)
      )
      assert.lengthOf(all, 0, `${table}: SELECT without tenant context returned rows`)

      const insert = insertStatement(table, await fixtures.prepareRow(table, a))
      const inserted = await attempt(null, insert.sql, insert.bindings)
      assert.equal(inserted.error?.code, '42501', `${table}: INSERT without tenant context`)
      const privileges = await appPrivileges(table)
      if (privileges.insert) {
        assert.match(inserted.error!.message, RLS_VIOLATION, `${table}: INSERT without tenant`)
      }

      for (const [label, sql] of [
        ['UPDATE', `UPDATE ${T} SET tenant_id = tenant_id`],
        ['DELETE', `DELETE FROM ${T}`],
      ]) {
        const outcome = await attempt(null, sql)
        if (outcome.error) {
          assert.equal(outcome.error.code, '42501', `${table}: ${label} without tenant context`)
        } else {
          assert.equal(outcome.rows, 0, `${table}: ${label} without tenant context touched rows`)
        }
      }
      assert.deepEqual(await snapshot(info, a), beforeA, `${table}: A's rows changed (no tenant)`)
      assert.deepEqual(await snapshot(info, b), beforeB, `${table}: B's rows changed (no tenant)`)
    })
  })
}

/* ---------------------------------------------------------------------------------------- */
/* Append-only tables: history cannot be rewritten, not even in its own tenant or by the owner */
/* ---------------------------------------------------------------------------------------- */

test.group('append-only tables', (group) => {
  group.each.setup(() => truncateAll())

  for (const table of APPEND_ONLY_TABLES) {
    const T = quoteIdent(table)

    test(`${table}: UPDATE and DELETE raise in the row's own tenant, for every role`, async ({
      assert,
    }) => {
      const info = await fixtures.describe(table)
      const tenantId = info.hasTenantId ? await fixtures.newTenantId() : null
      const row = await fixtures.insertRow(table, tenantId)
      const key = keyOf(info, row)
      const readBack = async () => {
        const { rows } = await db
          .connection('platform')
          .rawQuery(`SELECT * FROM ${T} WHERE ${key.sql}`, key.bindings as any[])
        return rows
      }
      const before = await readBack()
      assert.lengthOf(before, 1, `${table}: fixture row not found`)

      const column = quoteIdent(info.primaryKey[0] ?? info.columns[0].name)
      const statements = [
        ['UPDATE', `UPDATE ${T} SET ${column} = ${column} WHERE ${key.sql}`],
        ['DELETE', `DELETE FROM ${T} WHERE ${key.sql}`],
      ]
      // The owner has FORCE RLS applied too, so every role runs in the row's tenant.
      for (const role of ['app', 'platform', 'owner'] as const) {
        for (const [label, sql] of statements) {
          const outcome = await db
            .connection(role)
            .transaction(async (trx) => {
              if (tenantId !== null) await setTenantOn(trx, tenantId)
              const result = await trx.rawQuery(sql, key.bindings as any[])
              return `${result.rowCount} rows`
            })
            .catch((error: { code?: string; message: string }) => error)
          assert.isNotString(outcome, `${table}: ${label} as ${role} succeeded (${outcome})`)
          const error = outcome as { code?: string; message: string }
          assert.equal(error.code, '42501', `${table}: ${label} as ${role}: ${error.message}`)
          if (role === 'owner') {
            assert.match(error.message, /E_APPEND_ONLY/, `${table}: ${label} as owner: no trigger`)
          }
        }
      }
      assert.deepEqual(await readBack(), before, `${table}: the append-only row changed`)
    })

    test(`${table}: the runtime roles cannot TRUNCATE`, async ({ assert }) => {
      for (const role of ['app', 'platform'] as const) {
        const error = await db
          .connection(role)
          .rawQuery(`TRUNCATE ${T}`)
          .then(() => undefined)
          .catch((e: { code?: string }) => e)
        assert.equal(error?.code, '42501', `${table}: TRUNCATE as ${role} was not refused`)
      }
    })
  }
})
