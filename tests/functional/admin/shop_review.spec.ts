import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type PlatformAdmin from '#models/platform_admin'
import {
  createAdmin,
  createShop,
  createUser,
  platformEvents,
  resetState,
  t,
  tenantStatus,
  v,
} from '#tests/functional/platform/helpers'

function decide(client: any, admin: PlatformAdmin, id: number, decision: string, reason?: string) {
  return client
    .post(`/admin/shops/${id}/${decision}`)
    .header('host', 'localhost')
    .withGuard('admin')
    .loginAs(admin)
    .form(reason === undefined ? {} : { reason })
    .withCsrfToken()
    .redirects(0)
}

test.group('Admin shop review', (group) => {
  group.each.setup(() => resetState())

  test('the list shows pending shops by default, each status on request', async ({
    client,
    assert,
  }) => {
    const admin = await createAdmin()
    const owner = await createUser('owner@example.com')
    await createShop('waiting-one', owner, 'pending_review')
    await createShop('already-open', owner, 'active')

    const pending = await client
      .get('/admin/shops')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    pending.assertStatus(200)
    pending.assertTextIncludes('waiting-one')
    pending.assertTextIncludes('owner@example.com')
    assert.notInclude(pending.text(), 'already-open')

    const active = await client
      .get('/admin/shops?status=active')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    active.assertTextIncludes('already-open')
    assert.notInclude(active.text(), 'waiting-one')

    const bad = await client
      .get('/admin/shops?status=nonsense&page=-1')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
      .redirects(0)
    bad.assertStatus(302)

    const reads = await db
      .connection('platform')
      .from('platform_audit_events')
      .where('action', 'platform.access')
      .where('actor_type', 'platform_admin')
    assert.isAtLeast(reads.length, 2)
  })

  test('the detail page shows the shop, its owner and the possible decisions', async ({
    client,
  }) => {
    const admin = await createAdmin()
    const owner = await createUser('owner@example.com')
    const shop = await createShop('waiting-one', owner)
    const page = await client
      .get(`/admin/shops/${shop.id}`)
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('owner@example.com')
    page.assertTextIncludes(`/admin/shops/${shop.id}/approve`)
    page.assertTextIncludes(`/admin/shops/${shop.id}/reject`)

    const missing = await client
      .get('/admin/shops/999999')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    missing.assertStatus(404)
  })

  test('approve: pending → active, audited with before/after, in one platform transaction', async ({
    client,
    assert,
  }) => {
    const admin = await createAdmin()
    const owner = await createUser('owner@example.com')
    const shop = await createShop('waiting-one', owner)

    const response = await decide(client, admin, shop.id, 'approve', 'Looks good')
    response.assertStatus(302)
    response.assertHeader('location', `/admin/shops/${shop.id}`)
    assert.equal(response.flashMessage('notice'), t('en', 'admin.review.done.approve'))

    const row = await db.connection('platform').from('tenants').where('id', shop.id).firstOrFail()
    assert.equal(row.status, 'active')
    assert.equal(Number(row.reviewed_by), admin.id)
    assert.isNotNull(row.reviewed_at)
    assert.equal(row.review_note, 'Looks good')

    const [event] = await platformEvents('shop.approved')
    assert.equal(Number(event.tenant_id), shop.id)
    assert.equal(Number(event.actor_id), admin.id)
    assert.deepEqual(event.metadata, { from: 'pending_review', to: 'active', note: 'Looks good' })
    const access = await db
      .connection('platform')
      .from('platform_audit_events')
      .where('action', 'platform.access')
      .where('tenant_id', shop.id)
    assert.isAtLeast(access.length, 1)
  })

  test('reject needs a reason ({locale}); with one, the shop is rejected')
    .with([{ locale: 'en' as const }, { locale: 'zh-CN' as const }])
    .run(async ({ client, assert }, { locale }) => {
      const admin = await createAdmin()
      const owner = await createUser('owner@example.com')
      const shop = await createShop('waiting-one', owner)

      const noReason = await decide(client, admin, shop.id, 'reject').header(
        'accept-language',
        locale
      )
      noReason.assertStatus(302)
      noReason.assertHeader('location', `/admin/shops/${shop.id}`)
      assert.equal(
        noReason.flashMessage('inputErrorsBag').reason[0],
        v(locale, 'required', 'reason')
      )
      assert.equal(await tenantStatus(shop.id), 'pending_review')
      assert.lengthOf(await platformEvents('shop.rejected'), 0)

      const withReason = await decide(client, admin, shop.id, 'reject', 'Selling stolen accounts')
      withReason.assertStatus(302)
      assert.equal(await tenantStatus(shop.id), 'rejected')
      const [event] = await platformEvents('shop.rejected')
      assert.deepEqual(event.metadata, {
        from: 'pending_review',
        to: 'rejected',
        note: 'Selling stolen accounts',
      })
    })

  test('suspend shows the notice on the shop host; reinstate opens it again', async ({
    client,
    assert,
  }) => {
    const admin = await createAdmin()
    const owner = await createUser('owner@example.com')
    const shop = await createShop('busy-shop', owner, 'active')

    const before = await client.get('/').header('host', 'busy-shop.localhost')
    assert.notEqual(before.status(), 403)

    await decide(client, admin, shop.id, 'suspend', 'Chargebacks')
    assert.equal(await tenantStatus(shop.id), 'suspended')
    const [suspended] = await platformEvents('shop.suspended')
    assert.deepEqual(suspended.metadata, { from: 'active', to: 'suspended', note: 'Chargebacks' })

    const notice = await client
      .get('/')
      .header('host', 'busy-shop.localhost')
      .header('accept-language', 'zh-CN')
    notice.assertStatus(403)
    notice.assertTextIncludes(t('zh-CN', 'errors.shop_suspended_title'))

    await decide(client, admin, shop.id, 'reinstate')
    assert.equal(await tenantStatus(shop.id), 'active')
    const [reinstated] = await platformEvents('shop.reinstated')
    assert.deepEqual(reinstated.metadata, { from: 'suspended', to: 'active', note: null })
    const open = await client.get('/').header('host', 'busy-shop.localhost')
    assert.notEqual(open.status(), 403)
  })

  test('a decision that does not fit the status changes nothing', async ({ client, assert }) => {
    const admin = await createAdmin()
    const owner = await createUser('owner@example.com')
    const shop = await createShop('waiting-one', owner)

    for (const decision of ['suspend', 'reinstate']) {
      const response = await decide(client, admin, shop.id, decision)
      response.assertStatus(302)
      assert.equal(
        response.flashMessage('error'),
        t('en', 'admin.review.invalid_transition', {
          status: t('en', 'admin.status.pending_review'),
        })
      )
    }
    assert.equal(await tenantStatus(shop.id), 'pending_review')
    const decisions = await db
      .connection('platform')
      .from('platform_audit_events')
      .whereLike('action', 'shop.%')
    assert.lengthOf(decisions, 0)

    const unknown = await decide(client, admin, 999999, 'approve')
    unknown.assertHeader('location', '/admin/shops')
  })
})
