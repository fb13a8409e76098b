import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import { recordTenantAudit, recordPlatformAudit, verifyAuditChains } from '#audit'
import { withPlatformRole, withTenant } from '#tenancy'
import {
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { createAdmin } from '#tests/functional/platform/helpers'

async function event(
  shop: Tenant,
  action: string,
  targetId: string,
  actorId: number | null = null
) {
  await withTenant(
    (trx) =>
      recordTenantAudit(trx, shop.id, {
        actor: actorId ? { type: 'user', id: actorId } : { type: 'system' },
        action,
        target: { type: 'thing', id: targetId },
        ip: '198.51.100.7',
        metadata: { before: 'a', after: 'b' },
      }),
    shop.toRef()
  )
}

const BAD_QUERIES = [
  'from=2026-02-31&to=yesterday',
  'actor=root&page=0',
  'page=-1&q=' + 'x'.repeat(500),
  'action[]=a&q[x]=1&from[]=2026-01-01',
  'action=%25%5F%5C&q=%27%3B%20DROP%20TABLE%20users%3B--',
  'page=99999999999999999999&to=2026-13-01',
  'shop=%00&source=nope',
]

test.group('audit / merchant page', (group) => {
  group.each.setup(() => resetState())

  test('the owner sees only this shop’s events, newest first, actor as email', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('audit-one')
    const { shop: other } = await shopWithOwner('audit-two')
    await event(shop, 'member.role_changed', 'mine-1', owner.id)
    await event(shop, 'member.removed', 'mine-2')
    await event(other, 'member.invited', 'theirs-1')

    const response = await client.get('/merchant/audit').header('host', hostOf(shop)).loginAs(owner)
    response.assertStatus(200)
    const html = response.text()
    assert.include(html, 'mine-1')
    assert.include(html, 'mine-2')
    assert.include(html, 'owner@audit-one.test')
    assert.notInclude(html, 'theirs-1')
    assert.notInclude(html, 'member.invited')
    assert.isBelow(html.indexOf('mine-2'), html.indexOf('mine-1'), 'newest first')
    assert.include(html, 'class="table-wrap"')
    assert.include(html, 'href="/merchant/audit"')
  })

  test('staff members are refused; the nav link is for owners only', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('audit-staff')
    const staff = await createUser('staff@audit-staff.test')
    await addMember(shop, staff, 'staff')
    await event(shop, 'member.invited', 'secret-ish')

    const denied = await client.get('/merchant/audit').header('host', hostOf(shop)).loginAs(staff)
    denied.assertStatus(403)
    assert.notInclude(denied.text(), 'secret-ish')
    const dashboard = await client.get('/merchant').header('host', hostOf(shop)).loginAs(staff)
    assert.notInclude(dashboard.text(), 'href="/merchant/audit"')
    const ownerDashboard = await client.get('/merchant').header('host', hostOf(shop)).loginAs(owner)
    assert.include(ownerDashboard.text(), 'href="/merchant/audit"')

    const anonymous = await client.get('/merchant/audit').header('host', hostOf(shop)).redirects(0)
    assert.notEqual(anonymous.status(), 200)
  })

  test('filters: action prefix, actor type, target id, dates; paging keeps them', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('audit-filter')
    await event(shop, 'member.role_changed', 'alpha-17', owner.id)
    await event(shop, 'api_token.created', 'beta-99')
    const get = (qs: string) =>
      client.get(`/merchant/audit?${qs}`).header('host', hostOf(shop)).loginAs(owner)
    const textOf = async (qs: string) => {
      const response = await get(qs)
      return response.text()
    }

    const byAction = await textOf('action=member.')
    assert.include(byAction, 'alpha-17')
    assert.notInclude(byAction, 'beta-99')

    const byActor = await textOf('actor=system')
    assert.include(byActor, 'beta-99')
    assert.notInclude(byActor, 'alpha-17')

    const byTarget = await textOf('q=ETA-9')
    assert.include(byTarget, 'beta-99')
    assert.notInclude(byTarget, 'alpha-17')

    const today = new Date().toISOString().slice(0, 10)
    const inRange = await textOf(`from=${today}&to=${today}`)
    assert.include(inRange, 'alpha-17')
    const outOfRange = await textOf('from=2001-01-01&to=2001-01-02')
    assert.notInclude(outOfRange, 'alpha-17')
    assert.include(outOfRange, 'No entries match.')

    await withTenant(async (trx) => {
      for (let i = 0; i < 51; i++) {
        await recordTenantAudit(trx, shop.id, {
          actor: { type: 'system' },
          action: 'bulk.step',
          target: { type: 'n', id: `bulk-${i}` },
        })
      }
    }, shop.toRef())
    const first = await textOf('action=bulk.')
    assert.include(first, 'href="/merchant/audit?action=bulk.&amp;page=2"')
    assert.include(first, 'bulk-50')
    assert.notInclude(first, 'bulk-0<')
    const second = await textOf('action=bulk.&page=2')
    assert.include(second, 'bulk-0<')
    assert.notInclude(second, 'alpha-17')
    assert.include(second, 'href="/merchant/audit?action=bulk.&amp;page=1"')

    const zh = await client
      .get('/merchant/audit')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
    zh.assertTextIncludes('审计日志')
  })

  test('malformed filters are ignored with a notice, never a 500', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('audit-bad')
    await event(shop, 'member.removed', 'still-listed')
    for (const qs of BAD_QUERIES) {
      const response = await client
        .get(`/merchant/audit?${qs}`)
        .header('host', hostOf(shop))
        .loginAs(owner)
      assert.equal(response.status(), 200, qs)
    }
    const response = await client
      .get('/merchant/audit?from=2026-02-31&actor=root')
      .header('host', hostOf(shop))
      .loginAs(owner)
    response.assertTextIncludes('data-ignored')
    response.assertTextIncludes('still-listed')
  })
})

test.group('audit / admin page', (group) => {
  group.each.setup(() => resetState())

  test('lists events across shops and the platform chain, filters by shop; viewing is audited', async ({
    client,
    assert,
  }) => {
    const admin = await createAdmin()
    const { shop } = await shopWithOwner('audit-adm-a')
    const { shop: other } = await shopWithOwner('audit-adm-b')
    await event(shop, 'member.role_changed', 'from-a')
    await event(other, 'member.removed', 'from-b')
    await withPlatformRole((trx) =>
      recordPlatformAudit(trx, {
        actor: { type: 'system' },
        action: 'test.platform_event',
        tenantId: other.id,
        target: { type: 'thing', id: 'plat-1' },
      })
    )
    const get = (qs = '') =>
      client
        .get(`/admin/audit${qs ? '?' + qs : ''}`)
        .header('host', 'localhost')
        .withGuard('admin')
        .loginAs(admin)
    const textOf = async (qs: string) => {
      const response = await get(qs)
      return response.text()
    }

    const all = await get()
    all.assertStatus(200)
    for (const text of ['from-a', 'from-b', 'plat-1', 'audit-adm-a', 'audit-adm-b']) {
      assert.include(all.text(), text)
    }

    const onlyA = await textOf('shop=audit-adm-a')
    assert.include(onlyA, 'from-a')
    assert.notInclude(onlyA, 'from-b')
    assert.notInclude(onlyA, 'plat-1')

    const platformOnly = await textOf('source=platform')
    assert.include(platformOnly, 'plat-1')
    assert.notInclude(platformOnly, 'from-a')

    const shopsOnly = await textOf('source=tenant&actor=system&action=member.')
    assert.include(shopsOnly, 'from-a')
    assert.notInclude(shopsOnly, 'plat-1')

    const views = await db
      .connection('owner')
      .from('platform_audit_events')
      .where({ action: 'platform.access', actor_type: 'platform_admin', actor_id: admin.id })
      .whereRaw(`metadata->>'reason' = 'admin.audit.search'`)
    assert.lengthOf(views, 4)

    for (const qs of BAD_QUERIES) {
      const response = await get(qs)
      assert.equal(response.status(), 200, qs)
    }
    const verified = await verifyAuditChains()
    assert.isTrue(verified.ok, JSON.stringify(verified.firstProblem))
  })

  test('merchants and anonymous visitors cannot reach it', async ({ client, assert }) => {
    const { owner } = await shopWithOwner('audit-adm-c')
    const anonymous = await client.get('/admin/audit').header('host', 'localhost').redirects(0)
    assert.notEqual(anonymous.status(), 200)
    const merchant = await client
      .get('/admin/audit')
      .header('host', 'localhost')
      .loginAs(owner)
      .redirects(0)
    assert.notEqual(merchant.status(), 200)
  })
})
