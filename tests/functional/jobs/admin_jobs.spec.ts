import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import PlatformAdmin from '#models/platform_admin'
import { appRegistry } from '#jobs'
import { CountJob, probeId, reports, seedTwoShops, waitFor } from '#tests/unit/jobs/fixtures'
import type { TenantRef } from '#tenancy'

function failure(values: Record<string, unknown>) {
  return {
    queue: 'default',
    job_name: CountJob.jobName,
    job_id: null,
    tenant_id: null,
    payload: JSON.stringify({}),
    error: 'E_SOMETHING: went wrong',
    attempts: 3,
    ...values,
  }
}

async function insertFailure(values: Record<string, unknown>): Promise<number> {
  const [row] = await db
    .connection('owner')
    .table('job_failures')
    .insert(failure(values))
    .returning('id')
  return Number(row.id)
}

function failureRow(id: number) {
  return db.connection('owner').from('job_failures').where('id', id).firstOrFail()
}

test.group('Admin / failed jobs', (group) => {
  let a: TenantRef
  let admin: PlatformAdmin

  group.each.setup(async () => {
    ;({ a } = await seedTwoShops())
    admin = await PlatformAdmin.create({
      email: 'jobs-admin@lianka.test',
      password: 'Admin-password-2026',
    })
  })

  test('guests are sent to the admin login', async ({ client }) => {
    const response = await client.get('/admin/jobs').header('host', 'localhost').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/admin/login')
  })

  test('failures are listed newest first, redacted, with the shop, paginated', async ({
    client,
    assert,
  }) => {
    const older = await insertFailure({
      tenant_id: a.id,
      failed_at: new Date(Date.now() - 60_000),
      error: 'E_OLDER: first',
    })
    const newer = await insertFailure({
      tenant_id: a.id,
      payload: JSON.stringify({ tenantId: a.id, apiToken: '[redacted]' }),
      error: 'E_NEWER: second',
    })
    const page = await client
      .get('/admin/jobs')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('Failed jobs')
    page.assertTextIncludes('E_NEWER: second')
    page.assertTextIncludes(a.slug)
    page.assertTextIncludes('[redacted]')
    const text = page.text()
    assert.isBelow(text.indexOf(`data-failure="${newer}"`), text.indexOf(`data-failure="${older}"`))
    assert.include(text, `action="/admin/jobs/${newer}/retry"`)
    assert.include(text, "name='_csrf'")
    assert.notInclude(text, 'Next page')

    for (let i = 0; i < 30; i++) await insertFailure({ error: `E_BULK: ${i}` })
    const first = await client
      .get('/admin/jobs')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    first.assertTextIncludes('href="/admin/jobs?page=2"')
    const second = await client
      .get('/admin/jobs?page=2')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    second.assertStatus(200)
    second.assertTextIncludes(`data-failure="${older}"`)
    second.assertTextIncludes('href="/admin/jobs?page=1"')
    const junk = await client
      .get('/admin/jobs?page=-3')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    junk.assertStatus(200)
  })

  test('the page speaks Chinese', async ({ client }) => {
    await insertFailure({})
    const page = await client
      .get('/admin/jobs')
      .header('host', 'localhost')
      .header('accept-language', 'zh-CN')
      .withGuard('admin')
      .loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('失败的任务')
    page.assertTextIncludes('重试')
  })

  test('retry re-dispatches the stored payload once and marks the failure', async ({
    client,
    assert,
  }) => {
    const registry = await appRegistry()
    registry.register(CountJob)
    const probe = probeId('admin-retry')
    const id = await insertFailure({
      tenant_id: a.id,
      payload: JSON.stringify({ tenantId: a.id, probe }),
    })

    const retry = () =>
      client
        .post(`/admin/jobs/${id}/retry`)
        .header('host', 'localhost')
        .withGuard('admin')
        .loginAs(admin)
        .form({ page: 2 })
        .withCsrfToken()
        .redirects(0)
    const response = await retry()
    response.assertStatus(302)
    response.assertHeader('location', '/admin/jobs?page=2')
    await waitFor(() => reports(probe).length === 1, 5000, 'retried job run')
    const marked = await failureRow(id)
    assert.isNotNull(marked.retried_at)

    const audit = await db
      .connection('owner')
      .from('platform_audit_events')
      .where({ action: 'job.retried', target_id: String(id), actor_id: admin.id })
    assert.lengthOf(audit, 1)

    const again = await retry()
    again.assertStatus(302)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.lengthOf(reports(probe), 1)
  })

  test('a failure whose job is gone or whose payload was redacted stays unmarked', async ({
    client,
    assert,
  }) => {
    const unknown = await insertFailure({ job_name: 'jobs_test.removed_long_ago' })
    const redacted = await insertFailure({
      tenant_id: a.id,
      payload: JSON.stringify({ tenantId: a.id, probe: 'x', token: '[redacted]' }),
    })
    const registry = await appRegistry()
    registry.register(CountJob)
    for (const id of [unknown, redacted]) {
      const response = await client
        .post(`/admin/jobs/${id}/retry`)
        .header('host', 'localhost')
        .withGuard('admin')
        .loginAs(admin)
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(302)
      const row = await failureRow(id)
      assert.isNull(row.retried_at)
    }
  })

  test('retry needs a CSRF token and an admin', async ({ client, assert }) => {
    const id = await insertFailure({})
    const noToken = await client
      .post(`/admin/jobs/${id}/retry`)
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
      .redirects(0)
    assert.notEqual(noToken.status(), 200)
    const guest = await client
      .post(`/admin/jobs/${id}/retry`)
      .header('host', 'localhost')
      .withCsrfToken()
      .redirects(0)
    guest.assertStatus(302)
    guest.assertHeader('location', '/admin/login')
    const row = await failureRow(id)
    assert.isNull(row.retried_at)
  })
})
