import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { forgetPlans } from '#payments/fees'
import { createAdmin } from '#tests/functional/platform/helpers'
import {
  addMember,
  createUser,
  freshIp,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import {
  enableTestPay,
  fakeGateway,
  paidOrder,
  registerPlugins,
  rowsOf,
  unregisterPlugins,
} from '#tests/functional/money/_helpers'

function adminPost(client: ApiClient, admin: any, path: string, form: Record<string, string>) {
  return client
    .post(path)
    .header('host', 'localhost')
    .withGuard('admin')
    .loginAs(admin)
    .form(form)
    .withCsrfToken()
    .redirects(0)
}

function merchantPost(
  client: ApiClient,
  shop: Tenant,
  user: User,
  path: string,
  form: Record<string, string>,
  locale = 'en'
) {
  return client
    .post(path)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', freshIp())
    .header('accept-language', locale)
    .loginAs(user)
    .form(form)
    .withCsrfToken()
    .redirects(0)
}

const KEY = 'a'.repeat(32)

test.group('money / admin plans page', (group) => {
  group.each.setup(async () => {
    await resetState()
    forgetPlans()
  })

  test('fees are validated (422, nothing changed) and a valid change is saved and audited', async ({
    client,
    assert,
  }) => {
    const admin = await createAdmin()
    const page = await client
      .get('/admin/plans')
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    assert.equal(page.status(), 200)
    assert.include(page.text(), 'standard')

    for (const form of [
      { fee_bps: '5001', fee_fixed_minor: '0' },
      { fee_bps: '-1', fee_fixed_minor: '0' },
      { fee_bps: '1.5', fee_fixed_minor: '0' },
      { fee_bps: '100', fee_fixed_minor: '1e3' },
      { fee_bps: '100', fee_fixed_minor: '100000001' },
      { fee_bps: '', fee_fixed_minor: '' },
    ]) {
      const res = await adminPost(client, admin, '/admin/plans/standard', form)
      assert.equal(res.status(), 422, JSON.stringify(form))
    }
    const zh = await client
      .post('/admin/plans/standard')
      .header('host', 'localhost')
      .header('accept-language', 'zh-CN')
      .withGuard('admin')
      .loginAs(admin)
      .form({ fee_bps: 'x', fee_fixed_minor: '0' })
      .withCsrfToken()
      .redirects(0)
    assert.equal(zh.status(), 422)
    assert.include(zh.text(), '请输入 0 到 5000 之间的整数基点')
    const unchanged = await db.from('plans').where('code', 'standard').first()
    assert.equal(Number(unchanged.fee_bps), 200)

    const ok = await adminPost(client, admin, '/admin/plans/standard', {
      fee_bps: '250',
      fee_fixed_minor: '30',
    })
    assert.equal(ok.status(), 302)
    const changed = await db.from('plans').where('code', 'standard').first()
    assert.equal(Number(changed.fee_bps), 250)
    assert.equal(Number(changed.fee_fixed_minor), 30)
    const audit = await db
      .connection('platform')
      .from('platform_audit_events')
      .where('action', 'plan.fee_changed')
    assert.lengthOf(audit, 1)
    assert.equal(audit[0].actor_id, admin.id)

    // assign a shop's plan from the admin shop page
    const { shop } = await shopWithOwner('plan-shop')
    const shopPage = await client
      .get(`/admin/shops/${shop.id}`)
      .header('host', 'localhost')
      .withGuard('admin')
      .loginAs(admin)
    assert.include(shopPage.text(), `action="/admin/shops/${shop.id}/plan"`)
    const moved = await adminPost(client, admin, `/admin/shops/${shop.id}/plan`, { plan: 'pro' })
    assert.equal(moved.status(), 302)
    const tenant = await db.from('tenants').where('id', shop.id).first()
    assert.equal(tenant.plan_code, 'pro')
    const bad = await adminPost(client, admin, `/admin/shops/${shop.id}/plan`, { plan: 'gold' })
    assert.equal(bad.status(), 302)
    const still = await db.from('tenants').where('id', shop.id).first()
    assert.equal(still.plan_code, 'pro')
    // merchants cannot reach it
    const anon = await client.get('/admin/plans').header('host', 'localhost').redirects(0)
    assert.notEqual(anon.status(), 200)
  })
})

test.group('money / merchant refund form', (group) => {
  group.each.setup(async () => {
    await resetState()
    forgetPlans()
    fakeGateway.reset()
    await registerPlugins()
    mail.fake()
    return () => {
      unregisterPlugins()
      mail.restore()
    }
  })

  test('form → confirmation → refund; errors in en and zh-CN; double submit refunds once', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('rf-page')
    await enableTestPay(shop, owner)
    const order = await paidOrder(shop, { price: 10_000n })
    const base = `/merchant/orders/${order.id}/refund`

    const form = await client.get(base).header('host', hostOf(shop)).loginAs(owner)
    assert.equal(form.status(), 200)
    assert.include(form.text(), 'already delivered', 'delivered warning')
    assert.match(form.text(), /name="key" value="[0-9a-f]{32}"/)

    const cases: Array<[Record<string, string>, string, string, number]> = [
      [
        { amount: 'abc', reason: 'Buyer asked', key: KEY },
        'en',
        'Enter an amount greater than zero',
        422,
      ],
      [{ amount: '0', reason: 'Buyer asked', key: KEY }, 'zh-CN', '请输入大于零的金额', 422],
      [
        { amount: '100.01', reason: 'Buyer asked', key: KEY },
        'en',
        'more than can still be refunded (100.00 CNY)',
        422,
      ],
      [{ amount: '100.01', reason: 'Buyer asked', key: KEY }, 'zh-CN', '超过了可退款金额', 422],
      [{ amount: '10', reason: '', key: KEY }, 'zh-CN', '请填写 3 到 500 个字符的原因', 422],
      [{ amount: '10', reason: 'Buyer asked', key: 'short' }, 'en', 'This form has expired', 422],
    ]
    for (const [data, locale, text, status] of cases) {
      const res = await merchantPost(client, shop, owner, `${base}/preview`, data, locale)
      assert.equal(res.status(), status, JSON.stringify(data))
      assert.include(res.text(), text, JSON.stringify(data))
    }

    const preview = await merchantPost(client, shop, owner, `${base}/preview`, {
      amount: '25.50',
      reason: 'Buyer asked',
      key: KEY,
    })
    assert.equal(preview.status(), 200)
    assert.include(preview.text(), 'Refund 25.50 CNY')
    assert.include(preview.text(), 'The platform fee of 2.00 CNY is not refunded')
    assert.include(preview.text(), 'name="amount_minor" value="2550"')
    assert.lengthOf(await rowsOf('payment_refunds', shop), 0, 'the preview writes nothing')

    const confirm = { amount_minor: '2550', reason: 'Buyer asked', key: KEY, method: 'gateway' }
    const first = await merchantPost(client, shop, owner, base, confirm)
    const second = await merchantPost(client, shop, owner, base, confirm)
    assert.equal(first.status(), 302)
    assert.equal(second.status(), 302)
    assert.lengthOf(await rowsOf('payment_refunds', shop), 1)
    assert.lengthOf(fakeGateway.requests, 1)
    const after = await client.get(base).header('host', hostOf(shop)).loginAs(owner)
    assert.include(after.text(), '25.50 CNY')
    assert.include(after.text(), 'data-status="succeeded"')
  })

  test('staff are forbidden; another shop cannot refund this order (404)', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('rf-page-a')
    await enableTestPay(shop, owner)
    const order = await paidOrder(shop, { price: 1_000n })
    const staff = await createUser('staff@rf-page-a.test')
    await addMember(shop, staff, 'staff')
    const denied = await merchantPost(client, shop, staff, `/merchant/orders/${order.id}/refund`, {
      amount_minor: '100',
      reason: 'Buyer asked',
      key: KEY,
    })
    assert.equal(denied.status(), 403)

    const other = await shopWithOwner('rf-page-b')
    const cross = await merchantPost(
      client,
      other.shop,
      other.owner,
      `/merchant/orders/${order.id}/refund`,
      { amount_minor: '100', reason: 'Buyer asked', key: KEY }
    )
    assert.equal(cross.status(), 404)
    const crossGet = await client
      .get(`/merchant/orders/${order.id}/refund`)
      .header('host', hostOf(other.shop))
      .loginAs(other.owner)
    assert.equal(crossGet.status(), 404)
    assert.lengthOf(await rowsOf('payment_refunds', shop), 0)
    assert.lengthOf(fakeGateway.requests, 0)
  })
})
