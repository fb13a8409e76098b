import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import env from '#start/env'
import { setTenantOn, tenantIdLiteral, withTenant, type TenantRef } from '#tenancy'
import { quoteIdent } from '#database/helpers/tenancy_sql'
import { truncateAll } from '#tests/helpers/database'
import { TenantFixtures, type Row } from '#tests/helpers/tenant_fixtures'

const owner = () => db.connection('owner')
const fixtures = new TenantFixtures('owner')

/** pg_roles flags of one role, read by the owner. */
async function roleFlags(name: string) {
  const result = await owner().rawQuery(
    `SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = ?`,
    [name]
  )
  if (!result.rows.length) throw new Error(`role ${name} does not exist`)
  return result.rows[0] as {
    rolsuper: boolean
    rolbypassrls: boolean
    rolcreaterole: boolean
    rolcreatedb: boolean
  }
}

/** Relations (tables, views, sequences, ...) outside the system schemas owned by `role`. */
async function ownedRelations(role: string): Promise<string[]> {
  const result = await owner().rawQuery(
    `SELECT n.nspname || '.' || c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE pg_get_userbyid(c.relowner) = ?
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      ORDER BY 1`,
    [role]
  )
  return result.rows.map((r: { name: string }) => r.name)
}

test.group('database roles', () => {
  test('each connection logs in as its own role', async ({ assert }) => {
    for (const [connection, role] of [
      ['app', env.get('DB_USER')],
      ['platform', env.get('DB_PLATFORM_USER')],
      ['owner', env.get('DB_OWNER_USER')],
    ] as const) {
      const result = await db.connection(connection).rawQuery('SELECT current_user AS who')
      assert.equal(result.rows[0].who, role, `connection ${connection}`)
    }
  })

  test('the app role is NOSUPERUSER, NOBYPASSRLS, owns nothing and cannot become a role that could', async ({
    assert,
  }) => {
    const app = env.get('DB_USER')
    const flags = await roleFlags(app)
    assert.isFalse(flags.rolsuper, `${app} is a superuser`)
    assert.isFalse(flags.rolbypassrls, `${app} has BYPASSRLS`)
    assert.isFalse(flags.rolcreaterole, `${app} has CREATEROLE`)

    const ownedTables = await owner().rawQuery(
      `SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE tableowner = ?`,
      [app]
    )
    assert.deepEqual(
      ownedTables.rows,
      [],
      `${app} owns tables (owners are exempt from non-forced RLS)`
    )
    assert.deepEqual(await ownedRelations(app), [], `${app} owns relations`)

    for (const other of [env.get('DB_OWNER_USER'), env.get('DB_PLATFORM_USER')]) {
      const member = await owner().rawQuery(`SELECT pg_has_role(?, ?, 'MEMBER') AS yes`, [
        app,
        other,
      ])
      assert.isFalse(member.rows[0].yes, `${app} is a member of ${other} (could SET ROLE to it)`)
    }
  })

  test('the platform role has BYPASSRLS but is no superuser and owns nothing', async ({
    assert,
  }) => {
    const platform = env.get('DB_PLATFORM_USER')
    const flags = await roleFlags(platform)
    assert.isTrue(flags.rolbypassrls, `${platform} lacks BYPASSRLS`)
    assert.isFalse(flags.rolsuper, `${platform} is a superuser`)
    assert.deepEqual(await ownedRelations(platform), [], `${platform} owns relations`)
  })

  test('the owner role is no superuser and has no BYPASSRLS, so FORCE RLS applies to it', async ({
    assert,
  }) => {
    const ownerRole = env.get('DB_OWNER_USER')
    const flags = await roleFlags(ownerRole)
    assert.isFalse(flags.rolsuper, `${ownerRole} is a superuser`)
    assert.isFalse(flags.rolbypassrls, `${ownerRole} has BYPASSRLS`)
  })
})

test.group('tenant context', (group) => {
  group.each.setup(() => truncateAll())

  test('SET LOCAL app.tenant_id does not leak to the next transaction on the same connection', async ({
    assert,
  }) => {
    const name = 'app_single_connection'
    const appConfig = db.manager.get('app')!.config
    db.manager.add(name, { ...appConfig, pool: { min: 0, max: 1 } } as typeof appConfig)
    try {
      const single = db.connection(name)
      const probe = `SELECT pg_backend_pid() AS pid, current_setting('app.tenant_id', true) AS tenant`

      const inside = await single.transaction(async (trx) => {
        await setTenantOn(trx, 42)
        const { rows } = await trx.rawQuery(probe)
        return rows[0]
      })
      assert.equal(inside.tenant, '42', 'the setting is visible inside its transaction')

      const committed = await single.transaction(async (trx) => {
        const { rows } = await trx.rawQuery(probe)
        return rows[0]
      })
      assert.equal(committed.pid, inside.pid, 'both transactions ran on the same backend')
      assert.include(['', null], committed.tenant, 'app.tenant_id leaked past COMMIT')

      await single
        .transaction(async (trx) => {
          await setTenantOn(trx, 43)
          throw new Error('roll back')
        })
        .catch(() => undefined)
      const { rows: afterRollback } = await single.rawQuery(probe)
      const rolledBack = afterRollback[0]
      assert.equal(rolledBack.pid, inside.pid, 'same backend after the rollback')
      assert.include(['', null], rolledBack.tenant, 'app.tenant_id leaked past ROLLBACK')
    } finally {
      await db.manager.close(name, true)
    }
  })

  test('withTenant commits on success and rolls back when the work throws', async ({ assert }) => {
    const table = await writableTenantTable()
    const created = await fixtures.createTenant()
    const tenant: TenantRef = {
      id: created.id,
      slug: created.slug,
      name: 'Fixture shop',
      status: 'active',
      defaultLocale: 'zh-CN',
      currency: 'CNY',
    }
    const info = await fixtures.describe(table)
    const pk = info.primaryKey.length ? info.primaryKey : ['tenant_id', 'id']
    const count = async (row: Row) => {
      const where = pk.map((c) => `${quoteIdent(c)} = ?`).join(' AND ')
      const { rows } = await db
        .connection('platform')
        .rawQuery(
          `SELECT count(*)::int AS n FROM ${quoteIdent(table)} WHERE ${where}`,
          pk.map((c) => row[c]) as any[]
        )
      return rows[0].n as number
    }

    const insert = async (trx: TransactionClientContract, row: Row): Promise<Row> => {
      const [stored] = await trx.table(table).insert(row).returning('*')
      return stored
    }

    const toKeep = await fixtures.prepareRow(table, tenant.id)
    const kept = await withTenant(async (trx) => {
      const { rows } = await trx.rawQuery(`SELECT current_setting('app.tenant_id', true) AS t`)
      assert.equal(rows[0].t, String(tenant.id), 'withTenant sets app.tenant_id')
      return insert(trx, toKeep)
    }, tenant)
    assert.equal(await count(kept), 1, `${table}: the row written in withTenant was not committed`)

    const toLose = await fixtures.prepareRow(table, tenant.id)
    let written: Row | undefined
    const failure = await withTenant(async (trx) => {
      written = await insert(trx, toLose)
      throw new Error('boom')
    }, tenant).catch((error: Error) => error)
    assert.equal((failure as Error).message, 'boom', 'withTenant rethrows the error')
    assert.isDefined(written, 'the insert ran before the throw')
    assert.equal(await count(written!), 0, `${table}: a row written before the throw was committed`)
  })

  test('withTenant refuses to run without a tenant', async ({ assert }) => {
    await assert.rejects(() => withTenant(async () => 1), /E_TENANT_MISSING/)
  })

  test('tenantIdLiteral accepts positive integers only and refuses injection', async ({
    assert,
  }) => {
    assert.equal(tenantIdLiteral(42), '42')
    assert.equal(tenantIdLiteral('9007199254740991'), '9007199254740991')
    const hostile = [
      "1'; drop table x; --",
      "1' OR '1'='1",
      '1; RESET ROLE',
      '1 ',
      ' 1',
      '1\n',
      '0',
      '-1',
      '01',
      '1.5',
      '1e3',
      '0x10',
      '',
      '１', // full-width digit
      '12345678901234567890', // 20 digits, beyond bigint
      'NaN',
    ]
    for (const value of hostile) {
      assert.throws(
        () => tenantIdLiteral(value),
        /E_TENANT_INVALID_ID/,
        `accepted ${JSON.stringify(value)}`
      )
    }
    for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => tenantIdLiteral(value), /E_TENANT_INVALID_ID/, `accepted ${value}`)
    }
  })

  test('setTenantOn refuses injection before anything reaches the server', async ({ assert }) => {
    await db.connection('app').transaction(async (trx) => {
      await assert.rejects(() => setTenantOn(trx, "1'; drop table x; --"), /E_TENANT_INVALID_ID/)
      // The transaction is not aborted (no statement was sent) and has no tenant.
      const result = await trx.rawQuery(`SELECT current_setting('app.tenant_id', true) AS t`)
      assert.include(['', null], result.rows[0].t)
    })
  })
})

/** A tenant table (forced RLS, tenant_id) the app role may insert into, for withTenant tests. */
async function writableTenantTable(): Promise<string> {
  const result = await db.connection('app').rawQuery(
    `SELECT c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relforcerowsecurity
        AND has_table_privilege(current_user, c.oid, 'INSERT')
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
      ORDER BY c.relname LIMIT 1`
  )
  if (!result.rows.length) throw new Error('no writable tenant table found')
  return result.rows[0].name
}
