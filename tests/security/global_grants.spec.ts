import { test } from '@japa/runner'
import env from '#start/env'
import db from '@adonisjs/lucid/services/db'

/**
 * Platform-global tables have no RLS, so their grants are the only fence. The app role
 * serves every shop request: it must not read platform admins, the platform audit log or
 * other shops' failed jobs, and must not change a shop's status.
 */
const EXPECTED: Record<string, { app: string[]; platform: string[] }> = {
  tenants: { app: ['INSERT', 'SELECT'], platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] },
  users: {
    app: ['INSERT', 'SELECT', 'UPDATE'],
    platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  },
  platform_admins: { app: [], platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] },
  platform_audit_events: { app: ['INSERT'], platform: ['INSERT', 'SELECT'] },
  platform_audit_head: {
    app: ['INSERT', 'SELECT', 'UPDATE'],
    platform: ['INSERT', 'SELECT', 'UPDATE'],
  },
  job_failures: { app: ['INSERT'], platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] },
  ledger_verifications: { app: [], platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] },
  auth_access_tokens: {
    app: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
    platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  },
  plugin_authors: {
    app: ['INSERT', 'SELECT'],
    platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  },
  plugins: { app: ['INSERT', 'SELECT'], platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'] },
  plugin_versions: {
    app: ['INSERT', 'SELECT'],
    platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  },
  plans: { app: ['SELECT'], platform: ['INSERT', 'SELECT', 'UPDATE'] },
  gateway_accounts: { app: ['DELETE', 'INSERT', 'SELECT'], platform: ['DELETE', 'SELECT'] },
  password_reset_tokens: {
    app: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
    platform: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  },
}

async function privileges(role: string, table: string): Promise<string[]> {
  const rows = await db
    .connection('owner')
    .from('information_schema.role_table_grants')
    .select('privilege_type')
    .where({ grantee: role, table_schema: 'public', table_name: table })
    .whereIn('privilege_type', ['SELECT', 'INSERT', 'UPDATE', 'DELETE'])
  return rows.map((r) => r.privilege_type as string).sort()
}

test.group('security / grants on platform-global tables', () => {
  test('each runtime role has exactly the privileges it needs', async ({ assert }) => {
    for (const [table, expected] of Object.entries(EXPECTED)) {
      assert.deepEqual(await privileges(env.get('DB_USER'), table), expected.app, `app on ${table}`)
      assert.deepEqual(
        await privileges(env.get('DB_PLATFORM_USER'), table),
        expected.platform,
        `platform on ${table}`
      )
    }
  })

  test('the app role cannot read admin password hashes or change a shop status', async ({
    assert,
  }) => {
    const app = db.connection('app')
    await assert.rejects(() => app.from('platform_admins').select('password'), /permission denied/)
    await assert.rejects(() => app.from('platform_audit_events').select('*'), /permission denied/)
    await assert.rejects(() => app.from('job_failures').select('*'), /permission denied/)
    await assert.rejects(
      () => app.from('tenants').update({ status: 'active' }),
      /permission denied/
    )
  })
})
