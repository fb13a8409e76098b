import { test } from '@japa/runner'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { withTenant } from '#tenancy'
import Tenant from '#models/tenant'
import {
  actionsOf,
  auditOf,
  createUser,
  addMember,
  hostOf,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import { productOf } from '#tests/functional/delivery/_fixtures'
import { FORM, categories, category, products, submit } from './_fixtures.js'

const tiers = (...rows: Array<[string, string]>) =>
  Object.fromEntries(
    rows.flatMap(([qty, price], i) => [
      [`tier_qty_${i}`, qty],
      [`tier_price_${i}`, price],
    ])
  )

test.group('catalog form / create and edit', (group) => {
  group.each.setup(() => resetState())

  test('every field of the form is stored: tiers, limits, visibility, stock display, description', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const games = await category(shop, 'Games')
    const response = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      category: '',
      category_id: String(games.id),
      min_quantity: '2',
      max_quantity: '100',
      per_buyer_limit: '200',
      visibility: 'hidden',
      stock_display: 'in_stock',
      description: '<p>Works <strong>worldwide</strong></p><script>alert(1)</script>',
      ...tiers(['10', '11.00'], ['50', '10.5'], ['', '']),
    })
    response.assertStatus(302)
    const [row] = await products(shop)
    response.assertHeader('location', `/merchant/products/${row.id}/edit`)
    assert.equal(row.category_id, games.id)
    assert.equal(row.price, '1250')
    assert.equal(row.currency, 'CNY')
    assert.deepEqual(row.wholesale_tiers, [
      { minQuantity: 10, unitPriceMinor: '1100' },
      { minQuantity: 50, unitPriceMinor: '1050' },
    ])
    assert.equal(row.min_quantity, 2)
    assert.equal(row.max_quantity, 100)
    assert.equal(row.per_buyer_limit, 200)
    assert.equal(row.visibility, 'hidden')
    assert.equal(row.status, 'active')
    assert.equal(row.stock_display, 'in_stock')
    assert.equal(row.description_html, '<p>Works <strong>worldwide</strong></p>')
    assert.deepEqual(row.images, [])
    assert.lengthOf(await categories(shop), 1, 'the chosen category, no new one')

    const rows = await auditOf(shop)
    const audit = rows.find((r) => r.action === 'product.created')!
    assert.deepInclude(audit.metadata, { name: 'Steam key', priceMinor: '1250', tiers: 2 })

    const edit = await client
      .get(`/merchant/products/${row.id}/edit`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    edit.assertStatus(200)
    for (const fragment of [
      'name="tier_qty_0" type="text" inputmode="numeric" value="10"',
      'name="tier_price_1" type="text" inputmode="decimal" value="10.50"',
      `<option value="${games.id}" selected>Games</option>`,
      '<option value="hidden" selected>',
      '<option value="in_stock" selected>',
      'value="200"',
      '&lt;p&gt;Works &lt;strong&gt;worldwide&lt;/strong&gt;&lt;/p&gt;',
    ]) {
      assert.include(edit.text(), fragment)
    }
  })

  test('wholesale rows are checked row by row; en and zh-CN messages; nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const cases: Array<[string, Record<string, string>, string, string]> = [
      ['quantity 1', tiers(['1', '10']), 'tier_0', 'Quantity: a whole number from 2 to 10000.'],
      [
        'quantity text',
        tiers(['ten', '10']),
        'tier_0',
        'Quantity: a whole number from 2 to 10000.',
      ],
      ['only a quantity', tiers(['5', '']), 'tier_0', 'Fill in both the quantity'],
      ['only a price', tiers(['', '9']), 'tier_0', 'Fill in both the quantity'],
      ['price zero', tiers(['5', '0']), 'tier_0', 'Unit price: above 0'],
      ['price 3 decimals', tiers(['5', '9.999']), 'tier_0', 'Unit price: above 0'],
      ['equal to base', tiers(['5', '12.50']), 'tier_0', 'must be below the base price'],
      ['above base', tiers(['5', '13']), 'tier_0', 'must be below the base price'],
      [
        'quantity not increasing',
        tiers(['10', '11'], ['10', '10']),
        'tier_1',
        'larger quantity than the row above',
      ],
      [
        'quantity decreasing',
        tiers(['10', '11'], ['5', '12']),
        'tier_1',
        'larger quantity than the row above',
      ],
      [
        'price rising',
        tiers(['10', '10'], ['20', '11']),
        'tier_1',
        'cannot cost more per unit than the row above',
      ],
      ['above max quantity', tiers(['60', '10']), 'tier_0', 'above the maximum quantity'],
    ]
    for (const [label, rows, , message] of cases) {
      const response = await submit(client, shop, owner, '/merchant/products', {
        ...FORM,
        ...rows,
      })
      assert.equal(response.status(), 422, label)
      assert.include(response.text(), message, label)
      assert.include(
        response.text(),
        'value="Steam key"',
        `${label}: the form keeps what was typed`
      )
    }

    const zh = await submit(
      client,
      shop,
      owner,
      '/merchant/products',
      { ...FORM, ...tiers(['10', '11'], ['20', '11.5']) },
      { locale: 'zh-CN' }
    )
    zh.assertStatus(422)
    zh.assertTextIncludes('数量更多时单价不能高于上一行。')

    const array = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      tier_qty_0: ['5', '6'],
      tier_price_0: '9',
    })
    array.assertStatus(422)
    array.assertTextIncludes('Fill in both the quantity')

    assert.lengthOf(await products(shop), 0)
    assert.lengthOf(await categories(shop), 0)
    assert.lengthOf(await auditOf(shop), 0)
  })

  test('equal unit prices on growing quantities are allowed (non-increasing)', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const response = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      ...tiers(['2', '12.49'], ['3', '12.49'], ['', ''], ['10', '1']),
    })
    response.assertStatus(302)
    const [row] = await products(shop)
    assert.deepEqual(
      row.wholesale_tiers.map((t: any) => t.minQuantity),
      [2, 3, 10]
    )
  })

  test('limits, types and selects are validated; nothing written', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ per_buyer_limit: '0' }, 'from the minimum quantity to 10000, or leave it empty'],
      [{ min_quantity: '5', per_buyer_limit: '4' }, 'from the minimum quantity to 10000'],
      [{ per_buyer_limit: '10001' }, 'from the minimum quantity to 10000'],
      [{ stock_display: 'always' }, 'Choose how stock is shown.'],
      [{ visibility: 'secret' }, 'Choose a visibility.'],
      [{ status: 'deleted' }, 'Choose a status.'],
      [{ type: 'bundle' }, 'Choose a product type.'],
      [{ type: 'source', source_id: '' }, 'Enter the delivery source id'],
      [{ type: 'source', source_id: 'Bad Id!' }, 'Enter the delivery source id'],
      [{ type: 'source', source_id: '1abc' }, 'Enter the delivery source id'],
      [{ type: 'source', source_id: 'x'.repeat(81) }, 'Enter the delivery source id'],
      [{ type: 'text', text_content: '' }, 'A text product needs its text content.'],
      [{ category: '', category_id: '' }, 'Choose a category or enter a new category name'],
      [{ category_id: 'abc' }, 'Choose a category or enter a new category name'],
      [{ description: ['<p>a</p>', '<p>b</p>'] }, 'Enter the description as text.'],
    ]
    for (const [fields, message] of cases) {
      const response = await submit(client, shop, owner, '/merchant/products', {
        ...FORM,
        ...fields,
      })
      assert.equal(response.status(), 422, JSON.stringify(fields))
      assert.include(response.text(), message, JSON.stringify(fields))
    }
    assert.lengthOf(await products(shop), 0)
    assert.lengthOf(await auditOf(shop), 0)
  })

  test('a source product keeps its source id; a text product its text; others drop both', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const source = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      type: 'source',
      source_id: 'acme-keys:steam',
      text_content: 'ignored',
    })
    source.assertStatus(302)
    const text = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      name: 'Guide',
      type: 'text',
      text_content: 'Read me',
      source_id: 'ignored',
    })
    text.assertStatus(302)
    const [a, b] = await products(shop)
    assert.equal(a.type, 'source')
    assert.equal(a.source_id, 'acme-keys:steam')
    assert.isNull(a.text_content)
    assert.equal(b.type, 'text')
    assert.equal(b.text_content, 'Read me')
    assert.isNull(b.source_id)
  })

  test('prices follow the shop currency: JPY has no decimals', async ({ client, assert }) => {
    const shop = await Tenant.create({
      slug: 'yen-shop',
      name: 'Yen shop',
      status: 'active',
      defaultLocale: 'en',
      currency: 'JPY',
    })
    const owner = await createUser('owner@yen-shop.test')
    await addMember(shop, owner, 'owner')

    const decimals = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      price: '1200.5',
    })
    decimals.assertStatus(422)
    decimals.assertTextIncludes('this currency has no decimals')
    assert.lengthOf(await products(shop), 0)

    const ok = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      price: '1200',
      ...tiers(['10', '1100']),
    })
    ok.assertStatus(302)
    const [row] = await products(shop)
    assert.equal(row.price, '1200')
    assert.equal(row.currency, 'JPY')
    assert.deepEqual(row.wholesale_tiers, [{ minQuantity: 10, unitPriceMinor: '1100' }])
  })

  test('editing leaves images and the low-stock threshold alone', async ({ client, assert }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const product = await productOf(shop)
    const key = `products/${shop.id}/${product.id}/${'a'.repeat(32)}.png`
    await withTenant(
      (trx) =>
        trx.rawQuery(
          `UPDATE products SET images = ?::jsonb, low_stock_threshold = 7 WHERE id = ?`,
          [JSON.stringify([key]), product.id]
        ),
      shop.toRef()
    )
    const response = await submit(
      client,
      shop,
      owner,
      `/merchant/products/${product.id}`,
      { ...FORM, name: 'Renamed', description: '' },
      { method: 'put' }
    )
    response.assertStatus(302)
    const [row] = await products(shop)
    assert.equal(row.name, 'Renamed')
    assert.deepEqual(row.images, [key])
    assert.equal(row.low_stock_threshold, 7)
    assert.isNull(row.description_html)
    assert.include(await actionsOf(shop), 'product.updated')
  })

  test('a long description goes through the multipart form; too long after cleaning is refused', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const paragraph = `<p>${'商品说明 '.repeat(20)}</p>`
    const long = paragraph.repeat(400) // ~ 44,000 characters, ~ 120 KB of UTF-8
    const response = await client
      .post('/merchant/products')
      .header('host', hostOf(shop))
      .header('accept-language', 'en')
      .loginAs(owner)
      .fields({ ...FORM, description: long })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const [row] = await products(shop)
    assert.equal(row.description_html, long)

    const tooLong = await client
      .post('/merchant/products')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
      .fields({ ...FORM, name: 'Second', description: paragraph.repeat(600) })
      .withCsrfToken()
      .redirects(0)
    tooLong.assertStatus(422)
    tooLong.assertTextIncludes('描述太长')
    // Only tags are removed by cleaning: 60,000 characters of script are nothing at all.
    const scriptOnly = await client
      .post('/merchant/products')
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ ...FORM, name: 'Third', description: `<script>${'x'.repeat(60_000)}</script>` })
      .withCsrfToken()
      .redirects(0)
    scriptOnly.assertStatus(302)
    const rows = await products(shop)
    assert.lengthOf(rows, 2)
    assert.isNull(rows[1].description_html)
  })
})

test.group('catalog form / multipart edit', (group) => {
  group.each.setup(() => resetState())

  test('the edit form posts multipart with ?_method=PUT, as the page does', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const product = await productOf(shop, { name: 'Before' })
    const page = await client
      .get(`/merchant/products/${product.id}/edit`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    page.assertTextIncludes(`action="/merchant/products/${product.id}?_method=PUT"`)
    page.assertTextIncludes('enctype="multipart/form-data"')

    const response = await client
      .post(`/merchant/products/${product.id}?_method=PUT`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .fields({ ...FORM, name: 'After', ...tiers(['3', '12']) })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    const [row] = await products(shop)
    assert.equal(row.name, 'After')
    assert.deepEqual(row.wholesale_tiers, [{ minQuantity: 3, unitPriceMinor: '1200' }])
    assert.lengthOf(await products(shop), 1)
  })
})

test.group('catalog form / tenancy', (group) => {
  group.each.setup(() => resetState())

  test("another shop's category cannot be chosen; its products cannot be edited", async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('form-shop')
    const other = await shopWithOwner('other-shop')
    const foreignCategory = await category(other.shop, 'Theirs')
    const response = await submit(client, shop, owner, '/merchant/products', {
      ...FORM,
      category: '',
      category_id: String(foreignCategory.id),
    })
    response.assertStatus(422)
    response.assertTextIncludes('Choose a category or enter a new category name')
    assert.lengthOf(await products(shop), 0)
    assert.lengthOf(await categories(shop), 0)

    const foreign = await productOf(other.shop, { name: 'Their key' })
    const update = await submit(
      client,
      shop,
      owner,
      `/merchant/products/${foreign.id}`,
      { ...FORM, name: 'Hijacked' },
      { method: 'put' }
    )
    update.assertStatus(404)
    const [row] = await products(other.shop)
    assert.equal(row.name, 'Their key')
  })

  test('staff may use the form too', async ({ client, assert }) => {
    const { shop } = await shopWithOwner('form-shop')
    const staff = await createUser('staff@form-shop.test')
    await addMember(shop, staff, 'staff')
    const response = await submit(client, shop, staff, '/merchant/products', FORM)
    response.assertStatus(302)
    assert.lengthOf(await products(shop), 1)
  })
})

test('catalog_form.json has the same keys in en and zh-CN', ({ assert }) => {
  const flat = (value: any, prefix = ''): string[] =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([k, v]) => flat(v, prefix ? `${prefix}.${k}` : k))
      : [prefix]
  const keys = (locale: string) =>
    flat(
      JSON.parse(readFileSync(app.languageFilesPath(locale, 'catalog_form.json'), 'utf8'))
    ).sort()
  assert.deepEqual(keys('zh-CN'), keys('en'))
})
