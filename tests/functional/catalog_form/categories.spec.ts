import { test } from '@japa/runner'
import { withTenant } from '#tenancy'
import {
  actionsOf,
  addMember,
  createUser,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import {
  FORM,
  auditRow,
  categories,
  category,
  categoryRows,
  products,
  submit,
} from './_fixtures.js'

test.group('catalog form / categories', (group) => {
  group.each.setup(() => resetState())

  test('staff create, rename and re-sort categories; the page lists them in sort order', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('cat-shop')
    const staff = await createUser('staff@cat-shop.test')
    await addMember(shop, staff, 'staff')

    for (const [name, sort] of [
      ['Games', '5'],
      ['Software', '1'],
    ]) {
      const response = await submit(client, shop, staff, '/merchant/categories', { name, sort })
      response.assertStatus(302)
      response.assertHeader('location', '/merchant/categories')
    }
    const [games, software] = await categories(shop)
    assert.equal(games.sort, 5)
    assert.equal(software.sort, 1)

    const page = await client
      .get('/merchant/categories')
      .header('host', hostOf(shop))
      .loginAs(staff)
    page.assertStatus(200)
    const html = page.text()
    assert.isBelow(html.indexOf('value="Software"'), html.indexOf('value="Games"'))

    const renamed = await submit(
      client,
      shop,
      staff,
      `/merchant/categories/${games.id}`,
      { name: 'Game keys', sort: '-3' },
      { method: 'put' }
    )
    renamed.assertStatus(302)
    const rows = await categories(shop)
    assert.deepEqual(
      rows.map((r) => [r.name, r.sort]),
      [
        ['Game keys', -3],
        ['Software', 1],
      ]
    )
    const audit = (await auditRow(shop, 'category.updated'))!
    assert.deepEqual(audit.metadata, {
      before: { name: 'Games', sort: 5 },
      after: { name: 'Game keys', sort: -3 },
    })
  })

  test('bad names and sort values, duplicates: 422 in en and zh-CN, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const existing = await category(shop, 'Games')
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: '' }, 'Enter a category name of 1-120 characters.'],
      [{ name: 'x'.repeat(121) }, 'Enter a category name of 1-120 characters.'],
      [{ name: ['a', 'b'] }, 'Enter a category name of 1-120 characters.'],
      [{ name: 'Ok', sort: '1.5' }, 'Sort order: a whole number from -9999 to 9999.'],
      [{ name: 'Ok', sort: '10000' }, 'Sort order: a whole number from -9999 to 9999.'],
      [{ name: 'Ok', sort: 'first' }, 'Sort order: a whole number from -9999 to 9999.'],
      [{ name: 'Games' }, 'Another category already has this name.'],
    ]
    for (const [form, message] of cases) {
      const response = await submit(client, shop, owner, '/merchant/categories', form)
      assert.equal(response.status(), 422, JSON.stringify(form))
      assert.include(response.text(), message, JSON.stringify(form))
    }
    const zh = await submit(
      client,
      shop,
      owner,
      '/merchant/categories',
      { name: 'Games' },
      { locale: 'zh-CN' }
    )
    zh.assertStatus(422)
    zh.assertTextIncludes('已有同名分类。')

    const other = await category(shop, 'Other')
    const clash = await submit(
      client,
      shop,
      owner,
      `/merchant/categories/${other.id}`,
      { name: 'Games', sort: '0' },
      { method: 'put' }
    )
    clash.assertStatus(422)
    clash.assertTextIncludes('Another category already has this name.')
    // Saving a category under its own name is not a clash.
    const same = await submit(
      client,
      shop,
      owner,
      `/merchant/categories/${existing.id}`,
      { name: 'Games', sort: '2' },
      { method: 'put' }
    )
    same.assertStatus(302)
    assert.deepEqual(await categoryRows(shop), [
      ['Games', 2],
      ['Other', 0],
    ])
    assert.deepEqual(await actionsOf(shop), ['category.updated'])
  })

  test('an empty category is deleted; one with products is kept with a clear message', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const empty = await category(shop, 'Empty')
    const games = await category(shop, 'Games')
    for (const name of ['Key A', 'Key B']) {
      const created = await submit(client, shop, owner, '/merchant/products', {
        ...FORM,
        name,
        category: '',
        category_id: String(games.id),
      })
      created.assertStatus(302)
    }

    const refused = await submit(
      client,
      shop,
      owner,
      `/merchant/categories/${games.id}`,
      {},
      { method: 'delete' }
    )
    refused.assertStatus(422)
    refused.assertTextIncludes(
      'This category still has 2 products: move them to another category first.'
    )
    const zh = await submit(
      client,
      shop,
      owner,
      `/merchant/categories/${games.id}`,
      {},
      { method: 'delete', locale: 'zh-CN' }
    )
    zh.assertStatus(422)
    zh.assertTextIncludes('该分类下还有 2 件商品')

    const deleted = await submit(
      client,
      shop,
      owner,
      `/merchant/categories/${empty.id}`,
      {},
      { method: 'delete' }
    )
    deleted.assertStatus(302)
    assert.deepEqual(await categoryRows(shop), [['Games', 0]])
    assert.lengthOf(await products(shop), 2)
    const actions = await actionsOf(shop)
    assert.equal(actions.filter((a) => a === 'category.deleted').length, 1)
  })

  test('a category named by a coupon is kept', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('cat-shop')
    const promo = await category(shop, 'Promo')
    await withTenant(
      (trx) =>
        trx.table('coupons').insert({
          tenant_id: shop.id,
          code: 'SAVE10',
          kind: 'percent',
          value: 10,
          currency: 'CNY',
          scope: 'category',
          category_id: promo.id,
        }),
      shop.toRef()
    )
    const refused = await submit(
      client,
      shop,
      owner,
      `/merchant/categories/${promo.id}`,
      {},
      { method: 'delete' }
    )
    refused.assertStatus(422)
    refused.assertTextIncludes('1 coupon names this category')
    assert.lengthOf(await categories(shop), 1)
  })
})

test.group('catalog form / categories across shops', (group) => {
  group.each.setup(() => resetState())

  test("shop A cannot see, rename or delete shop B's categories", async ({ client, assert }) => {
    const a = await shopWithOwner('shop-a')
    const b = await shopWithOwner('shop-b')
    await category(a.shop, 'Mine')
    const theirs = await category(b.shop, 'Theirs')

    const page = await client
      .get('/merchant/categories')
      .header('host', hostOf(a.shop))
      .loginAs(a.owner)
    page.assertStatus(200)
    assert.include(page.text(), 'value="Mine"')
    assert.notInclude(page.text(), 'Theirs')

    const rename = await submit(
      client,
      a.shop,
      a.owner,
      `/merchant/categories/${theirs.id}`,
      { name: 'Hijacked', sort: '0' },
      { method: 'put' }
    )
    rename.assertStatus(404)
    rename.assertTextIncludes('No such category in this shop.')
    const remove = await submit(
      client,
      a.shop,
      a.owner,
      `/merchant/categories/${theirs.id}`,
      {},
      { method: 'delete' }
    )
    remove.assertStatus(404)
    assert.deepEqual(await categoryRows(b.shop), [['Theirs', 0]])
    assert.deepEqual(await actionsOf(b.shop), [])

    // B's owner is not a member of A: A's category page sends them to log in.
    const foreigner = await client
      .get('/merchant/categories')
      .header('host', hostOf(a.shop))
      .loginAs(b.owner)
      .redirects(0)
    foreigner.assertStatus(302)
  })
})
