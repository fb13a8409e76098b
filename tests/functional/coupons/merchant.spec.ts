import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import type { ApiClient } from '@japa/api-client'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import {
  actionsOf,
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import { couponOf } from '#tests/functional/coupons/_fixtures'

const VALID = {
  code: 'spring-10',
  kind: 'percent',
  value: '10',
  scope: 'all',
  product_id: '',
  category_id: '',
  min_amount: '50',
  total_limit: '100',
  per_contact_limit: '2',
  starts_at: '2026-03-01T00:00',
  ends_at: '2026-04-01T00:00',
  active: '1',
}

function send(
  client: ApiClient,
  shop: Tenant,
  user: User,
  method: 'post' | 'put',
  url: string,
  form: Record<string, unknown>,
  locale = 'en'
) {
  return client[method](url)
    .header('host', hostOf(shop))
    .header('accept-language', locale)
    .loginAs(user)
    .form(form)
    .withCsrfToken()
    .redirects(0)
}

function page(client: ApiClient, shop: Tenant, user: User, url: string, locale = 'en') {
  return client
    .get(url)
    .header('host', hostOf(shop))
    .header('accept-language', locale)
    .loginAs(user)
}

test.group('coupons / merchant pages', (group) => {
  group.each.setup(() => resetState())

  test('an owner creates a coupon; the list shows code, value, scope, window, uses and state', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cpm-shop')
    const res = await send(client, shop, owner, 'post', '/merchant/coupons', VALID)
    res.assertStatus(302)
    res.assertHeader('location', '/merchant/coupons')
    const [coupon] = await rowsOf('coupons', shop)
    assert.equal(coupon.code, 'SPRING-10')
    assert.equal(coupon.kind, 'percent')
    assert.equal(String(coupon.value), '10')
    assert.equal(String(coupon.min_amount_minor), '5000')
    assert.equal(coupon.total_limit, 100)
    assert.equal(coupon.per_contact_limit, 2)
    assert.equal(new Date(coupon.starts_at).toISOString(), '2026-03-01T00:00:00.000Z')
    assert.equal(coupon.currency, 'CNY')
    assert.isTrue(coupon.active)
    assert.include(await actionsOf(shop), 'coupon.created')

    const fixed = await send(client, shop, owner, 'post', '/merchant/coupons', {
      ...VALID,
      code: 'FIVE',
      kind: 'fixed',
      value: '5.50',
      min_amount: '',
      total_limit: '',
      per_contact_limit: '',
      starts_at: '',
      ends_at: '',
    })
    fixed.assertStatus(302)

    const list = await page(client, shop, owner, '/merchant/coupons')
    list.assertStatus(200)
    const html = list.text()
    assert.include(html, 'SPRING-10')
    assert.include(html, 'Percent off: 10%')
    assert.include(html, 'Every product')
    assert.include(html, 'from 2026-03-01 00:00')
    assert.include(html, 'until 2026-04-01 00:00')
    assert.include(html, '0 / 100')
    assert.include(html, '2 per buyer')
    assert.include(html, 'Fixed amount off: CNY 5.50')
    assert.include(html, '0 / no limit')
    assert.include(html, 'always')

    const zh = await page(client, shop, owner, '/merchant/coupons', 'zh-CN')
    assert.include(zh.text(), '按百分比折扣')
    assert.include(zh.text(), '全部商品')
  })

  test('staff edit a coupon scoped to a product; the pickers list this shop only', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('cpm-shop')
    const staff = await createUser('staff@cpm-shop.test')
    await addMember(shop, staff, 'staff')
    const { shop: other } = await shopWithOwner('cpm-other')
    const product = await productOf(shop, { name: 'Our key' })
    await productOf(other, { name: 'Their key' })
    const coupon = await couponOf(shop, { code: 'EDITME' })

    const form = await page(client, shop, staff, `/merchant/coupons/${coupon.id}/edit`)
    form.assertStatus(200)
    assert.include(form.text(), 'Our key')
    assert.notInclude(form.text(), 'Their key')
    assert.include(form.text(), 'value="EDITME"')

    const res = await send(client, shop, staff, 'put', `/merchant/coupons/${coupon.id}`, {
      ...VALID,
      code: 'EDITED',
      kind: 'fixed',
      value: '3',
      scope: 'product',
      product_id: String(product.id),
      category_id: String(product.categoryId),
    })
    res.assertStatus(302)
    const [row] = await rowsOf('coupons', shop)
    assert.equal(row.code, 'EDITED')
    assert.equal(String(row.value), '300')
    assert.equal(row.scope, 'product')
    assert.equal(Number(row.product_id), product.id)
    assert.isNull(row.category_id, 'only the id matching the scope is kept')
    assert.include(await actionsOf(shop), 'coupon.updated')

    const list = await page(client, shop, staff, '/merchant/coupons')
    assert.include(list.text(), 'One product: Our key')
  })

  test('deactivate: the coupon stays, inactive, and no longer applies', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cpm-shop')
    const coupon = await couponOf(shop, { code: 'STOPME' })
    const res = await send(
      client,
      shop,
      owner,
      'post',
      `/merchant/coupons/${coupon.id}/deactivate`,
      {}
    )
    res.assertStatus(302)
    const [row] = await rowsOf('coupons', shop)
    assert.isFalse(row.active)
    assert.include(await actionsOf(shop), 'coupon.deactivated')
    const list = await page(client, shop, owner, '/merchant/coupons')
    assert.include(list.text(), 'Inactive')
    assert.notInclude(list.text(), `/merchant/coupons/${coupon.id}/deactivate`)
  })

  test("another shop's coupon is a 404 for every page and action; nothing changes", async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cpm-shop')
    const { shop: other } = await shopWithOwner('cpm-other')
    const theirs = await couponOf(other, { code: 'THEIRS' })
    const before = await rowsOf('coupons', other)

    const edit = await page(client, shop, owner, `/merchant/coupons/${theirs.id}/edit`)
    edit.assertStatus(404)
    assert.include(edit.text(), 'No such coupon in this shop.')
    const update = await send(client, shop, owner, 'put', `/merchant/coupons/${theirs.id}`, VALID)
    update.assertStatus(404)
    const off = await send(
      client,
      shop,
      owner,
      'post',
      `/merchant/coupons/${theirs.id}/deactivate`,
      {}
    )
    off.assertStatus(404)
    const list = await page(client, shop, owner, '/merchant/coupons')
    assert.notInclude(list.text(), 'THEIRS')
    assert.deepEqual(await rowsOf('coupons', other), before)
    assert.lengthOf(await rowsOf('coupons', shop), 0)
    assert.notInclude(await actionsOf(shop), 'coupon.updated')
  })

  test('bad input: 422 with localised form errors, nothing written', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('cpm-shop')
    const { shop: other } = await shopWithOwner('cpm-other')
    const foreign = await productOf(other)
    await couponOf(shop, { code: 'TAKEN' })
    const before = await rowsOf('coupons', shop)
    const huge = 'A'.repeat(100_000)
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['percent 0', { value: '0' }, 'value', 'Enter a whole percent from 1 to 100.'],
      ['percent 101', { value: '101' }, 'value', 'Enter a whole percent from 1 to 100.'],
      ['fixed 0', { kind: 'fixed', value: '0' }, 'value', 'Enter an amount above 0'],
      ['fixed 3 decimals', { kind: 'fixed', value: '1.005' }, 'value', 'Enter an amount above 0'],
      [
        'fixed huge',
        { kind: 'fixed', value: '9'.repeat(5_000) },
        'value',
        'Enter an amount above 0',
      ],
      ['negative', { value: '-5' }, 'value', 'Enter a whole percent'],
      [
        'ends before starts',
        { starts_at: '2026-05-01T00:00', ends_at: '2026-04-01T00:00' },
        'ends_at',
        'The end must be after the start.',
      ],
      ['bad date', { starts_at: '2026-02-30T10:00' }, 'starts_at', 'Enter a date and time'],
      ['short code', { code: 'AB' }, 'code', 'Enter a code of 3-40 characters'],
      ['huge code', { code: huge }, 'code', 'Enter a code of 3-40 characters'],
      ['code with space', { code: 'NO SPACE' }, 'code', 'Enter a code of 3-40 characters'],
      ['taken code', { code: 'taken' }, 'code', 'This shop already has a coupon with this code.'],
      ['array code', { code: ['A1B', 'C2D'] }, 'code', 'Enter a code of 3-40 characters'],
      ['bad kind', { kind: 'free' }, 'kind', 'Choose a type.'],
      ['bad scope', { scope: huge }, 'scope', 'Choose what the coupon applies to.'],
      [
        'product missing',
        { scope: 'product' },
        'product_id',
        "Choose one of this shop's products.",
      ],
      [
        'foreign product',
        { scope: 'product', product_id: String(foreign.id) },
        'product_id',
        "Choose one of this shop's products.",
      ],
      [
        'foreign category',
        { scope: 'category', category_id: String(foreign.categoryId) },
        'category_id',
        "Choose one of this shop's categories.",
      ],
      ['limit 0', { total_limit: '0' }, 'total_limit', 'Enter a whole number from 1'],
      [
        'limit huge',
        { per_contact_limit: '99999999999' },
        'per_contact_limit',
        'Enter a whole number from 1',
      ],
      ['min amount text', { min_amount: 'lots' }, 'min_amount', 'Enter an amount (e.g. 50'],
    ]
    for (const [label, overrides, field, message] of cases) {
      const res = await send(client, shop, owner, 'post', '/merchant/coupons', {
        ...VALID,
        ...overrides,
      })
      assert.equal(res.status(), 422, label)
      const pattern = message
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replaceAll("'", "(?:'|&#\\d+;|&#x27;)")
      assert.match(res.text(), new RegExp(pattern), label)
      assert.match(
        res.text(),
        new RegExp(`class="field has-error">\\s*<label for="f-${field}"`),
        label
      )
    }
    const zh = await send(
      client,
      shop,
      owner,
      'post',
      '/merchant/coupons',
      { ...VALID, value: '101' },
      'zh-CN'
    )
    zh.assertStatus(422)
    assert.include(zh.text(), '请输入 1 到 100 的整数百分比。')
    assert.include(zh.text(), 'value="spring-10"', 'the input is shown back')

    const coupon = before[0]
    const edit = await send(client, shop, owner, 'put', `/merchant/coupons/${coupon.id}`, {
      ...VALID,
      value: '0',
    })
    edit.assertStatus(422)
    assert.deepEqual(await rowsOf('coupons', shop), before)
    assert.notInclude(await actionsOf(shop), 'coupon.updated')
  })

  test('a visitor who is not signed in is sent to the login page', async ({ client }) => {
    const { shop } = await shopWithOwner('cpm-shop')
    const res = await client.get('/merchant/coupons').header('host', hostOf(shop)).redirects(0)
    res.assertStatus(302)
    res.assertHeader('location', '/merchant/login')
  })
})

test('coupons.json has the same keys in en and zh-CN', ({ assert }) => {
  const flat = (o: Record<string, any>, prefix = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) =>
      typeof v === 'object' ? flat(v, `${prefix}${k}.`) : [`${prefix}${k}`]
    )
  const keys = (locale: string) =>
    flat(JSON.parse(readFileSync(app.languageFilesPath(locale, 'coupons.json'), 'utf8'))).sort()
  assert.deepEqual(keys('zh-CN'), keys('en'))
})
