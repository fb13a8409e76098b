import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import drive from '@adonisjs/drive/services/main'
import type Tenant from '#models/tenant'
import { withTenant } from '#tenancy'
import { availableStock, availableStockByProduct, createProduct, type NewProduct } from '#delivery'
import { STOCK_SHOWN_MAX, stockCountLimit } from '#actions/storefront/catalog/catalog'
import { createShop, freshIp, hostOf, resetState } from '#tests/functional/merchant/_fixtures'
import { addItems } from '#tests/functional/delivery/_fixtures'
import { TINY_PNG, category } from '#tests/functional/catalog_form/_fixtures'

async function product(
  shop: Tenant,
  categoryId: number,
  overrides: Partial<Omit<NewProduct, 'tenantId' | 'categoryId'>> = {}
) {
  return withTenant(
    (trx) =>
      createProduct(trx, {
        tenantId: shop.id,
        categoryId,
        name: 'Game key',
        type: 'card',
        priceMinor: 1_000n,
        currency: shop.currency,
        status: 'active',
        ...overrides,
      }),
    shop.toRef()
  )
}

/** Give a product images (stored on the drive disk like an upload would). */
async function withImages(shop: Tenant, productId: number, files: string[]) {
  const keys = files.map((f) => `products/${shop.id}/${productId}/${f}`)
  for (const key of keys) await drive.use().put(key, TINY_PNG)
  await withTenant(
    (trx) =>
      trx.rawQuery(`UPDATE products SET images = ?::jsonb WHERE id = ?`, [
        JSON.stringify(keys),
        productId,
      ]),
    shop.toRef()
  )
}

function get(client: ApiClient, shop: Tenant, path: string, locale = 'en') {
  return client.get(path).header('host', hostOf(shop)).header('accept-language', locale)
}

const hex = (c: string) => c.repeat(32)

test.group('storefront catalog / home', (group) => {
  group.each.setup(async () => {
    await resetState()
    await drive.use().deleteAll('products')
  })

  test('active public products grouped by category in sort order; hidden, draft, paused never listed', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('front-shop')
    const games = await category(shop, 'Games', 2)
    const software = await category(shop, 'Software', 1)
    const empty = await category(shop, 'Empty', 0)
    await product(shop, games.id, { name: 'Steam key', priceMinor: 1_234n })
    await product(shop, software.id, { name: 'Office licence', type: 'manual' })
    await product(shop, games.id, { name: 'Secret deal', visibility: 'hidden' })
    await product(shop, games.id, { name: 'Draft thing', status: 'draft' })
    await product(shop, software.id, { name: 'Paused thing', status: 'paused' })
    await product(shop, empty.id, { name: 'Hidden only', visibility: 'hidden' })

    const home = await get(client, shop, '/')
    home.assertStatus(200)
    const html = home.text()
    for (const listed of [
      'Steam key',
      'Office licence',
      'CNY 12.34',
      '>Games</h3>',
      '>Software</h3>',
    ]) {
      assert.include(html, listed)
    }
    for (const absent of ['Secret deal', 'Draft thing', 'Paused thing', 'Hidden only', 'Empty']) {
      assert.notInclude(html, absent)
    }
    assert.isBelow(html.indexOf('>Software</h3>'), html.indexOf('>Games</h3>'), 'sort order')
    assert.isBelow(html.indexOf('Office licence'), html.indexOf('Steam key'))
    assert.include(html, `href="/?category=${games.id}"`)
    assert.include(html, `href="/?category=${software.id}"`)
    assert.notInclude(html, `href="/?category=${empty.id}"`)
  })

  test('the category filter shows one category; a bad or unknown filter shows everything', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('front-shop')
    const games = await category(shop, 'Games')
    const software = await category(shop, 'Software')
    await product(shop, games.id, { name: 'Steam key' })
    await product(shop, software.id, { name: 'Office licence' })

    const filtered = await get(client, shop, `/?category=${games.id}`)
    filtered.assertStatus(200)
    assert.include(filtered.text(), 'Steam key')
    assert.notInclude(filtered.text(), 'Office licence')
    assert.include(filtered.text(), `class="chip current" aria-current="page">Games</a>`)

    for (const qs of ['?category=999999', '?category=abc', '?category[]=1', '?category=-1']) {
      const response = await get(client, shop, `/${qs}`)
      response.assertStatus(200)
      assert.include(response.text(), 'Steam key', qs)
      assert.include(response.text(), 'Office licence', qs)
    }
  })

  test('cover image, price and stock as each product wants it (en and zh-CN)', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('front-shop')
    const games = await category(shop, 'Games')
    const exact = await product(shop, games.id, { name: 'Exact', stockDisplay: 'exact' })
    const inStock = await product(shop, games.id, { name: 'Yes', stockDisplay: 'in_stock' })
    const hidden = await product(shop, games.id, { name: 'Quiet', stockDisplay: 'hidden' })
    await product(shop, games.id, { name: 'Gone', stockDisplay: 'exact' })
    await product(shop, games.id, { name: 'Guide', type: 'text', textContent: 'x' })
    await addItems(shop, exact, 3)
    await addItems(shop, inStock, 2)
    await addItems(shop, hidden, 2)
    await withImages(shop, exact.id, [`${hex('a')}.png`, `${hex('b')}.png`])

    const home = await get(client, shop, '/')
    const item = (name: string) => {
      const html = home.text()
      const start = html.lastIndexOf('<li class="product-item">', html.indexOf(`>${name}<`))
      return html.slice(start, html.indexOf('</li>', start))
    }
    assert.include(item('Exact'), `src="/media/products/${exact.id}/${hex('a')}.png"`)
    assert.include(item('Exact'), '3 in stock')
    assert.include(item('Yes'), 'In stock')
    assert.notInclude(item('Yes'), '2 in stock')
    assert.notInclude(item('Quiet'), 'stock')
    assert.include(item('Gone'), 'Sold out')
    assert.include(item('Guide'), 'In stock')
    assert.include(item('Yes'), 'cover-empty')

    const zh = await get(client, shop, '/', 'zh-CN')
    assert.include(zh.text(), '库存 3')
    assert.include(zh.text(), '已售罄')
    assert.include(zh.text(), '有货')
  })
})

async function pageText(client: ApiClient, shop: Tenant, path: string, locale = 'en') {
  const response = await get(client, shop, path, locale)
  response.assertStatus(200)
  return response.text()
}

test.group('storefront catalog / stock shown, counted up to a cap', (group) => {
  group.each.setup(async () => {
    await resetState()
  })

  test('exact stock above 1,000 reads "1000+"; 1,000 exactly reads 1000 (list, page, en and zh-CN)', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('front-shop')
    const games = await category(shop, 'Games')
    const big = await product(shop, games.id, { name: 'Big', stockDisplay: 'exact' })
    const full = await product(shop, games.id, { name: 'Full', stockDisplay: 'exact' })
    await addItems(shop, big, STOCK_SHOWN_MAX + 1)
    await addItems(shop, full, STOCK_SHOWN_MAX)

    const home = await pageText(client, shop, '/')
    const item = (name: string) => {
      const start = home.lastIndexOf('<li class="product-item">', home.indexOf(`>${name}<`))
      return home.slice(start, home.indexOf('</li>', start))
    }
    assert.include(item('Big'), '1000+ in stock')
    assert.include(item('Full'), '1000 in stock')
    assert.notInclude(item('Full'), '1000+')

    const page = await pageText(client, shop, `/p/${big.id}`)
    assert.include(page, '1000+ in stock')
    assert.notInclude(page, '1,001')
    assert.include(await pageText(client, shop, `/p/${big.id}`, 'zh-CN'), '库存 1000+')
    const fullPage = await pageText(client, shop, `/p/${full.id}`)
    assert.include(fullPage, '1000 in stock')
    assert.notInclude(fullPage, '1000+')
  })

  test('counts stop at the limit, and sold out still follows the minimum order', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('front-shop')
    const games = await category(shop, 'Games')
    const few = await product(shop, games.id, {
      name: 'Few',
      stockDisplay: 'in_stock',
      minQuantity: 5,
    })
    const enough = await product(shop, games.id, {
      name: 'Enough',
      stockDisplay: 'hidden',
      minQuantity: 3,
    })
    await addItems(shop, few, 4)
    await addItems(shop, enough, 7)

    assert.equal(stockCountLimit({ stockDisplay: 'exact', minQuantity: 1 }), STOCK_SHOWN_MAX + 1)
    assert.equal(stockCountLimit({ stockDisplay: 'in_stock', minQuantity: 1 }), 1)
    assert.equal(stockCountLimit({ stockDisplay: 'hidden', minQuantity: 5 }), 5)
    assert.equal(stockCountLimit({ stockDisplay: 'exact', minQuantity: 5000 }), 5000)
    await withTenant(async (trx) => {
      assert.equal(await availableStock(trx, shop.id, enough.id), 7)
      assert.equal(await availableStock(trx, shop.id, enough.id, 3), 3)
      assert.equal(await availableStock(trx, shop.id, few.id, 10), 4)
      const limited = await availableStockByProduct(trx, shop.id, [few.id, enough.id], [2, 100])
      assert.equal(limited.get(few.id), 2)
      assert.equal(limited.get(enough.id), 7)
      assert.equal(limited.size, 2)
    }, shop.toRef())

    const home = await pageText(client, shop, '/')
    const item = (name: string) => {
      const start = home.lastIndexOf('<li class="product-item">', home.indexOf(`>${name}<`))
      return home.slice(start, home.indexOf('</li>', start))
    }
    assert.include(item('Few'), 'Sold out')
    assert.notInclude(item('Enough'), 'Sold out')
    assert.notInclude(item('Enough'), 'stock')
    assert.include(await pageText(client, shop, `/p/${few.id}`), 'Sold out')
  })
})

test.group('storefront catalog / product page', (group) => {
  group.each.setup(async () => {
    await resetState()
    await drive.use().deleteAll('products')
  })

  test('gallery, sanitised description, tiers table and limits; checkout form still works', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('front-shop')
    const games = await category(shop, 'Games')
    const p = await product(shop, games.id, {
      name: 'Steam key',
      priceMinor: 1_250n,
      wholesaleTiers: [
        { minQuantity: 10, unitPriceMinor: 1_100n },
        { minQuantity: 50, unitPriceMinor: 990n },
      ],
      minQuantity: 2,
      maxQuantity: 100,
      perBuyerLimit: 200,
      descriptionHtml: '<p>Region <strong>global</strong></p>',
      stockDisplay: 'exact',
    })
    await addItems(shop, p, 12)
    await withImages(shop, p.id, [`${hex('c')}.png`, `${hex('d')}.png`])

    const page = await get(client, shop, `/p/${p.id}`)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, `src="/media/products/${p.id}/${hex('c')}.png"`)
    assert.include(html, `src="/media/products/${p.id}/${hex('d')}.png"`)
    assert.include(html, 'href="#image-2"')
    assert.include(html, '<div class="rich-text"><p>Region <strong>global</strong></p></div>')
    assert.include(html, '<td>10 or more</td><td class="num">CNY 11.00</td>')
    assert.include(html, '<td>50 or more</td><td class="num">CNY 9.90</td>')
    assert.include(html, 'Minimum per order: 2')
    assert.include(html, 'Maximum per order: 100')
    assert.include(html, 'Limit per buyer: 200 in total')
    assert.include(html, '12 in stock')
    assert.include(html, `action="/p/${p.id}/checkout"`)

    const zh = await get(client, shop, `/p/${p.id}`, 'zh-CN')
    assert.include(zh.text(), '<td>10 件及以上</td>')
    assert.include(zh.text(), '每位买家限购：累计 200')

    const media = await get(client, shop, `/media/products/${p.id}/${hex('d')}.png`)
    media.assertStatus(200)
    media.assertHeader('content-type', 'image/png')

    // The checkout form on the page still places orders, priced with the tiers by the server.
    const order = await client
      .post(`/p/${p.id}/checkout`)
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .form({ quantity: '10', contactEmail: 'buyer@example.com' })
      .withCsrfToken()
      .redirects(0)
    order.assertStatus(302)
    assert.match(String(order.header('location')), /^\/orders\/[\w-]+$/)
    const [row] = await withTenant(
      (trx) => trx.from('orders').select(trx.raw('amount_minor::text AS amount')),
      shop.toRef()
    )
    assert.equal(row.amount, '11000')
  })

  test('a product without images, tiers or description shows none of them', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('front-shop')
    const games = await category(shop, 'Games')
    const p = await product(shop, games.id, { type: 'manual' })
    const page = await get(client, shop, `/p/${p.id}`)
    page.assertStatus(200)
    for (const absent of ['class="gallery"', 'tiers-table', 'rich-text', 'buy-hints']) {
      assert.notInclude(page.text(), absent)
    }
  })

  test('paused and draft are 404; hidden is reachable by its link (?k=) only; other shops are 404', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('front-shop')
    const other = await createShop('other-shop')
    const games = await category(shop, 'Games')
    const paused = await product(shop, games.id, { name: 'Paused', status: 'paused' })
    const draft = await product(shop, games.id, { name: 'Draft', status: 'draft' })
    const hidden = await product(shop, games.id, { name: 'Secret deal', visibility: 'hidden' })
    await withImages(shop, hidden.id, [`${hex('e')}.png`])

    for (const p of [paused, draft]) {
      const response = await get(client, shop, `/p/${p.id}`)
      response.assertStatus(404)
      assert.notInclude(response.text(), p.name)
    }
    const guessed = await get(client, shop, `/p/${hidden.id}`)
    guessed.assertStatus(404)
    assert.notInclude(guessed.text(), 'Secret deal')
    const secret = await get(client, shop, `/p/${hidden.id}?k=${hidden.linkToken}`)
    secret.assertStatus(200)
    assert.include(secret.text(), 'Secret deal')
    const home = await get(client, shop, '/')
    assert.notInclude(home.text(), 'Secret deal')

    const elsewhere = await get(client, other, `/p/${hidden.id}?k=${hidden.linkToken}`)
    elsewhere.assertStatus(404)
    const image = await get(client, other, `/media/products/${hidden.id}/${hex('e')}.png`)
    image.assertStatus(404)
  })
})
