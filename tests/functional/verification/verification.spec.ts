import { createHash } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import drive from '@adonisjs/drive/services/main'
import PlatformAdmin from '#models/platform_admin'
import type Tenant from '#models/tenant'
import { recordTenantAudit } from '#audit'
import { appRegistry } from '#jobs'
import { schedules } from '#jobs/registry'
import { setTenantOn, withPlatform, withPlatformRole, withTenant } from '#tenancy'
import { runVerification, type PlatformRunner } from '#ledger/verification/run_verification'
import VerifyLedgerJob from '#ledger/verification/verify_ledger_job'
import type { ChainDigest } from '#ledger/verification/digest'
import { resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { post } from '#tests/functional/statements/_ledger_fixtures'
import { waitFor } from '#tests/unit/jobs/fixtures'

/** What the job's `ctx.withPlatform` is: an audited platform transaction, actor `job`. */
const asJob: PlatformRunner = (reason, fn) =>
  withPlatform({ actorType: 'job', reason: `ledger.verify_daily: ${reason}` }, fn)

function verificationRow(id: number) {
  return db.connection('owner').from('ledger_verifications').where('id', id).firstOrFail()
}

async function seed(a: Tenant, b: Tenant) {
  await post(a, { amount: 1_000n, memo: { order: 'A-1' } })
  await post(a, { amount: -300n, memo: { order: 'A-2' } })
  await post(b, { amount: 5_000n, memo: { order: 'B-1' } })
  for (const shop of [a, b]) {
    await withTenant(
      (trx) =>
        recordTenantAudit(trx, shop.id, { actor: { type: 'system' }, action: 'test.happened' }),
      shop.toRef()
    )
  }
}

/** Change a posted transaction's memo behind the ledger's back (owner, trigger lifted). */
async function tamper(shop: Tenant) {
  await db.connection('owner').transaction(async (trx) => {
    await setTenantOn(trx, shop.id)
    await trx.rawQuery(
      'ALTER TABLE ledger_transactions DISABLE TRIGGER ledger_transactions_append_only'
    )
    await trx.rawQuery(
      `UPDATE ledger_transactions SET memo = '{"order":"FORGED"}'
        WHERE id = (SELECT min(id) FROM ledger_transactions)`
    )
    await trx.rawQuery(
      'ALTER TABLE ledger_transactions ENABLE TRIGGER ledger_transactions_append_only'
    )
  })
}

test.group('Ledger verification / job, digest and record', (group) => {
  let a: Tenant
  let b: Tenant

  group.each.setup(async () => {
    await resetState()
    ;({ shop: a } = await shopWithOwner('verify-a'))
    ;({ shop: b } = await shopWithOwner('verify-b'))
    await seed(a, b)
  })

  test('a clean run records ok and writes a digest whose heads match the database', async ({
    assert,
  }) => {
    const outcome = await runVerification(asJob, { trigger: 'schedule' })
    assert.isTrue(outcome.ok)
    assert.isNull(outcome.firstProblem)

    const row = await verificationRow(outcome.id)
    assert.isTrue(row.ok)
    assert.isNotNull(row.finished_at)
    assert.isNull(row.first_problem)
    assert.equal(row.checked.trigger, 'schedule')
    assert.equal(row.checked.tenants, 2)
    assert.equal(row.checked.ledger.transactions, 3)
    assert.match(row.digest_path, /^ledger-digests\/\d{4}\/\d{2}\/\d{2}\/\d{8}T\d{6}Z-\d+\.json$/)

    const bytes = await drive.use().get(row.digest_path)
    assert.equal(createHash('sha256').update(bytes, 'utf8').digest('hex'), row.digest_sha256)
    const digest = JSON.parse(bytes) as ChainDigest
    assert.equal(digest.version, 1)
    assert.equal(digest.verificationId, outcome.id)

    const heads = await withPlatformRole(async (trx) => ({
      ledger: await trx.from('ledger_heads').select('tenant_id', 'last_seq', 'last_hash'),
      audit: await trx
        .from('audit_heads')
        .where('chain', 'audit')
        .select('tenant_id', 'last_seq', 'last_hash'),
      platform: await trx
        .from('platform_audit_events')
        .where('seq', digest.platformAudit.lastSeq)
        .first(),
    }))
    assert.deepEqual(
      digest.tenants.map((t) => t.slug),
      ['verify-a', 'verify-b']
    )
    for (const tenant of digest.tenants) {
      const ledger = heads.ledger.find((h) => Number(h.tenant_id) === tenant.tenantId)!
      const audit = heads.audit.find((h) => Number(h.tenant_id) === tenant.tenantId)!
      assert.deepEqual(tenant.ledger, {
        lastSeq: Number(ledger.last_seq),
        lastHash: ledger.last_hash,
      })
      assert.deepEqual(tenant.audit, { lastSeq: Number(audit.last_seq), lastHash: audit.last_hash })
    }
    assert.equal(digest.tenants[0].ledger.lastSeq, 2)
    assert.equal(digest.tenants[1].ledger.lastSeq, 1)
    assert.isAbove(digest.platformAudit.lastSeq, 0)
    assert.equal(heads.platform.hash, digest.platformAudit.lastHash)

    const failures = await db
      .connection('owner')
      .from('platform_audit_events')
      .where('action', 'ledger.verification_failed')
    assert.lengthOf(failures, 0)
  })

  test('a tampered ledger is recorded as failed, with the first problem and an audit event', async ({
    assert,
  }) => {
    await tamper(b)
    const outcome = await runVerification(asJob, { trigger: 'schedule' })
    assert.isFalse(outcome.ok)
    const row = await verificationRow(outcome.id)
    assert.isFalse(row.ok)
    assert.isNotNull(row.finished_at)
    assert.equal(row.first_problem.source, 'ledger')
    assert.equal(row.first_problem.tenantId, b.id)
    assert.equal(row.first_problem.seq, 1)
    assert.isNotNull(row.digest_path, 'the digest is still exported')

    const events = await db
      .connection('owner')
      .from('platform_audit_events')
      .where({ action: 'ledger.verification_failed', target_id: String(outcome.id) })
    assert.lengthOf(events, 1)
    assert.equal(events[0].metadata.problem.source, 'ledger')
  })

  test('the job is registered and scheduled daily at 03:15 UTC', async ({ assert }) => {
    const registry = await appRegistry()
    assert.strictEqual(registry.get('ledger.verify_daily'), VerifyLedgerJob)
    const entry = schedules.find((s) => s.job === VerifyLedgerJob)
    assert.deepEqual(entry?.repeat, { pattern: '15 3 * * *', tz: 'UTC' })
    assert.deepEqual(entry?.payload, { trigger: 'schedule' })
  })
})

test.group('Ledger verification / admin page', (group) => {
  let a: Tenant
  let b: Tenant
  let admin: PlatformAdmin

  group.each.setup(async () => {
    await resetState()
    ;({ shop: a } = await shopWithOwner('verify-a'))
    ;({ shop: b } = await shopWithOwner('verify-b'))
    await seed(a, b)
    admin = await PlatformAdmin.create({
      email: 'ledger-admin@lianka.test',
      password: 'Admin-password-2026',
    })
  })

  const get = (client: any, path = '/admin/ledger') =>
    client.get(path).header('host', 'localhost').withGuard('admin').loginAs(admin)

  test('guests are sent to the admin login', async ({ client }) => {
    const response = await client.get('/admin/ledger').header('host', 'localhost').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/admin/login')
  })

  test('shows the last runs and their results', async ({ client, assert }) => {
    const empty = await get(client)
    empty.assertStatus(200)
    empty.assertTextIncludes('No verification has run yet.')

    const good = await runVerification(asJob, { trigger: 'schedule' })
    await tamper(a)
    const bad = await runVerification(asJob, { trigger: 'schedule' })

    const page = await get(client)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, 'data-last-status="failed"')
    assert.include(html, `data-run="${bad.id}" data-status="failed"`)
    assert.include(html, `data-run="${good.id}" data-status="ok"`)
    assert.include(html, 'Money ledger')
    assert.include(html, '2 shops · 3 ledger transactions · ')
    assert.include(html, good.digestPath!)
    assert.include(html, good.digestSha256!)
    assert.isBelow(html.indexOf(`data-run="${bad.id}"`), html.indexOf(`data-run="${good.id}"`))

    const zh = await get(client).header('accept-language', 'zh-CN')
    zh.assertTextIncludes('账本校验')
    zh.assertTextIncludes('立即校验')
    zh.assertTextIncludes('失败')
  })

  test('run now queues the job, is audited, and its result shows up', async ({
    client,
    assert,
  }) => {
    const response = await client
      .post('/admin/ledger/run')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/admin/ledger')

    const requested = await db
      .connection('owner')
      .from('platform_audit_events')
      .where({ action: 'ledger.verification_requested', actor_id: admin.id })
    assert.lengthOf(requested, 1)

    const row = await waitFor(
      () => db.connection('owner').from('ledger_verifications').whereNotNull('finished_at').first(),
      10_000,
      'verification run'
    )
    assert.isTrue(row.ok)
    assert.equal(row.checked.trigger, 'admin')

    const page = await get(client)
    page.assertTextIncludes('all chains verified')
    page.assertTextIncludes('Run by an admin')
  })
})
