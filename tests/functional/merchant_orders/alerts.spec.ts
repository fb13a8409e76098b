import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import { withTenant } from '#tenancy'
import { notifyMerchant, raiseAlert } from '#delivery'
import {
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { addItems, order, pay, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import { staffOf, until } from '#tests/functional/merchant_orders/_helpers'
import type Tenant from '#models/tenant'

async function alert(shop: Tenant, kind: 'low_stock' | 'extra_payment' = 'low_stock') {
  const product = await productOf(shop)
  return withTenant(
    (trx) =>
      raiseAlert(trx, {
        tenantId: shop.id,
        kind,
        productId: product.id,
        data: { available: 2, threshold: 5 },
      }),
    shop.toRef()
  )
}

test.group('merchant orders / alerts', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('a mismatched payment returns its alert ids and mails every owner (not staff), in the shop language', async ({
    assert,
  }) => {
    const { messages } = mail.fake()
    const { shop, owner } = await shopWithOwner('alr-shop')
    await staffOf(shop)
    const second = await createUser('second-owner@alr-shop.test')
    await addMember(shop, second, 'owner')
    await db
      .connection('platform')
      .from('tenants')
      .where('id', shop.id)
      .update({ default_locale: 'zh-CN' })
    const { tenantDirectory } = await import('#tenancy')
    tenantDirectory.forget()
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const created = await order(shop, product)
    const result = await pay(shop, created.order.orderNo, 999n, 'T-x')
    assert.equal(result.outcome, 'mismatch')
    assert.lengthOf(result.alertIds, 1)
    const [row] = await rowsOf('merchant_alerts', shop)
    assert.equal(Number(row.id), result.alertIds[0])

    assert.isTrue(await until(async () => messages.sent().length === 2))
    const sent = messages.sent().map((m) => m.toJSON().message)
    assert.sameMembers(
      sent.map((m: any) => m.to[0].address ?? m.to[0]),
      [owner.email, second.email]
    )
    for (const m of sent as any[]) {
      assert.include(m.subject, created.order.orderNo)
      assert.include(String(m.text), '付款金额或币种不符')
      assert.include(String(m.text), `alr-shop.localhost`)
      assert.include(String(m.text), '/merchant/alerts')
    }

    // a replay raises nothing and mails nothing
    const again = await pay(shop, created.order.orderNo, 999n, 'T-x')
    assert.equal(again.outcome, 'duplicate')
    assert.deepEqual(again.alertIds, [])
  })

  test('the alerts page lists unread first; mark one and all read; the dashboard counts unread', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('alr-shop')
    const staff = await staffOf(shop)
    const first = await alert(shop)
    const second = await alert(shop, 'extra_payment')
    const third = await alert(shop)
    await withTenant(
      (trx) =>
        trx
          .from('merchant_alerts')
          .where('id', first)
          .update({ read_at: trx.raw('now()') }),
      shop.toRef()
    )

    const dashboard = await client.get('/merchant').header('host', hostOf(shop)).loginAs(staff)
    assert.include(dashboard.text(), 'data-unread-alerts="2"')
    assert.include(dashboard.text(), '2 unread alerts')
    assert.include(dashboard.text(), 'href="/merchant/orders"')

    const page = await client.get('/merchant/alerts').header('host', hostOf(shop)).loginAs(staff)
    page.assertStatus(200)
    const listed = (page.text().match(/data-alert="(\d+)"/g) ?? []).map((m) =>
      Number(m.slice(12, -1))
    )
    assert.deepEqual(listed, [third, second, first], 'unread first, newest first')
    assert.include(page.text(), 'Stock of product Game key is low (2 left).')

    const one = await client
      .post(`/merchant/alerts/${third}/read`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .withCsrfToken()
      .redirects(0)
    one.assertStatus(302)
    one.assertFlashMessage('notice', '1 alert marked read.')
    const rows = await rowsOf('merchant_alerts', shop)
    assert.isNotNull(rows.find((r) => Number(r.id) === third).read_at)
    assert.isNull(rows.find((r) => Number(r.id) === second).read_at)

    const all = await client
      .post('/merchant/alerts/read')
      .header('host', hostOf(shop))
      .loginAs(staff)
      .withCsrfToken()
      .redirects(0)
    all.assertStatus(302)
    const after = await rowsOf('merchant_alerts', shop)
    assert.isTrue(after.every((r) => r.read_at !== null))

    const zh = await client
      .get('/merchant/alerts')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(staff)
    assert.include(zh.text(), '库存不足')
  })

  test('notifyMerchant mails a low-stock alert with the product name; read alerts are not mailed', async ({
    assert,
  }) => {
    const { messages } = mail.fake()
    const { shop } = await shopWithOwner('alr-shop')
    const low = await alert(shop)
    const done = await alert(shop)
    await withTenant(
      (trx) =>
        trx
          .from('merchant_alerts')
          .where('id', done)
          .update({ read_at: trx.raw('now()') }),
      shop.toRef()
    )
    await notifyMerchant(shop.toRef(), [low, done, -1])
    assert.isTrue(await until(async () => messages.sent().length === 1))
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.lengthOf(messages.sent(), 1)
    const text = String(messages.sent()[0].toJSON().message.text)
    assert.include(text, 'Stock of product Game key is low (2 left).')
  })

  test("marking another shop's alert read changes nothing there", async ({ client, assert }) => {
    const a = await shopWithOwner('alr-shop')
    const b = await shopWithOwner('alr-other')
    await alert(a.shop)
    const theirs = await alert(b.shop)
    const response = await client
      .post(`/merchant/alerts/${theirs}/read`)
      .header('host', hostOf(a.shop))
      .loginAs(a.owner)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const [bRow] = await rowsOf('merchant_alerts', b.shop)
    assert.isNull(bRow.read_at)
    const page = await client
      .get('/merchant/alerts')
      .header('host', hostOf(a.shop))
      .loginAs(a.owner)
    assert.lengthOf(page.text().match(/data-alert="/g) ?? [], 1)
    const bad = await client
      .post('/merchant/alerts/abc/read')
      .header('host', hostOf(a.shop))
      .loginAs(a.owner)
      .withCsrfToken()
    bad.assertStatus(404)
    const stranger = await client
      .get('/merchant/alerts')
      .header('host', hostOf(b.shop))
      .loginAs(a.owner)
      .redirects(0)
    stranger.assertStatus(302)
  })
})
