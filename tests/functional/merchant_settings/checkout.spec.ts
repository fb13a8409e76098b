import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { withTenant } from '#tenancy'
import { reservationTtlMinutes } from '#delivery'
import {
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { addItems, order, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import type Tenant from '#models/tenant'

const ttlOf = (shop: Tenant) =>
  withTenant((trx) => reservationTtlMinutes(trx, shop.id), shop.toRef())

function save(client: any, shop: Tenant, user: any, value: unknown) {
  return client
    .put('/merchant/settings/checkout')
    .header('host', hostOf(shop))
    .loginAs(user)
    .form({ reservationTtlMinutes: value })
    .withCsrfToken()
    .redirects(0)
}

test.group('merchant settings / checkout', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('the owner sets how long orders hold stock; new orders use it; audited', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ttl-shop')
    const other = await shopWithOwner('ttl-other')
    const page = await client
      .get('/merchant/settings/checkout')
      .header('host', hostOf(shop))
      .loginAs(owner)
    page.assertStatus(200)
    page.assertTextIncludes('value="15"')

    const saved = await save(client, shop, owner, '45')
    saved.assertStatus(302)
    saved.assertFlashMessage('notice', 'Checkout settings saved.')
    assert.equal(await ttlOf(shop), 45)
    assert.equal(await ttlOf(other.shop), 15, "another shop's setting is untouched")

    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const created = await order(shop, product)
    const held = (created.order.reservedUntil!.getTime() - Date.now()) / 60_000
    assert.closeTo(held, 45, 1)

    const audits = await rowsOf('audit_events', shop).where(
      'action',
      'shop.checkout_settings_changed'
    )
    assert.lengthOf(audits, 1)
    assert.deepEqual(audits[0].metadata, { reservationTtlMinutes: { before: 15, after: 45 } })

    const again = await save(client, shop, owner, '45')
    again.assertFlashMessage('notice', 'Nothing changed.')
    const still = await rowsOf('shop_checkout_settings', shop)
    assert.lengthOf(still, 1, 'an unchanged value writes nothing')
  })

  test('bad values are a form error in the user language and change nothing', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ttl-bad')
    for (const value of ['0', '1441', '-5', '1.5', 'abc', '', ' ', '9'.repeat(50), { a: '10' }]) {
      const response = await save(client, shop, owner, value)
      assert.equal(response.status(), 422, `value ${JSON.stringify(value)}`)
      response.assertTextIncludes('Enter a whole number of minutes from 1 to 1440.')
    }
    const zh = await client
      .put('/merchant/settings/checkout')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
      .form({ reservationTtlMinutes: '0' })
      .withCsrfToken()
    zh.assertStatus(422)
    zh.assertTextIncludes('请输入 1 到 1440 之间的整数分钟。')
    assert.lengthOf(await rowsOf('shop_checkout_settings', shop), 0)
    assert.equal(await ttlOf(shop), 15)
  })

  test("staff may not change it; another shop's owner is not a member here", async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('ttl-staff')
    const staff = await createUser('staff@ttl-staff.test')
    await addMember(shop, staff, 'staff')
    const other = await shopWithOwner('ttl-foreign')
    const forbidden = await save(client, shop, staff, '30')
    forbidden.assertStatus(403)
    const page = await client
      .get('/merchant/settings/checkout')
      .header('host', hostOf(shop))
      .loginAs(staff)
    page.assertStatus(403)
    const foreign = await save(client, shop, other.owner, '30')
    foreign.assertStatus(302)
    foreign.assertHeader('location', '/merchant/login')
    assert.equal(await ttlOf(shop), 15)
  })
})
