import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import type Tenant from '#models/tenant'
import {
  createShop,
  freshIp,
  hostOf,
  resetState,
  auditOf,
} from '#tests/functional/merchant/_fixtures'
import {
  addItems,
  footprint,
  itemCounts,
  pay,
  productOf,
  rowsOf,
} from '#tests/functional/delivery/_fixtures'

const slug = () => `so-${randomBytes(4).toString('hex')}`

function checkout(
  client: ApiClient,
  shop: Tenant,
  productId: number,
  form: Record<string, unknown>,
  ip = freshIp()
) {
  return client
    .post(`/p/${productId}/checkout`)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', ip)
    .header('accept-language', 'en')
    .form(form)
    .withCsrfToken()
    .redirects(0)
}

function openOrder(client: ApiClient, shop: Tenant, token: string) {
  return client
    .get(`/orders/${token}`)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', freshIp())
    .header('accept-language', 'en')
}

function tokenOf(location: string | undefined) {
  const m = /^\/orders\/([^/]+)$/.exec(location ?? '')
  if (!m) throw new Error(`unexpected redirect ${location}`)
  return m[1]
}

const SECRET = /KEY-[0-9A-F]{16}/g

test.group('shop orders / catalog and checkout', (group) => {
  group.each.setup(() => resetState())

  test('home lists active public products with price and stock; product page shows the form', async ({
    client,
    assert,
  }) => {
    const shop = await createShop(slug())
    const product = await productOf(shop, {
      name: 'Steam key',
      priceMinor: 1_234n,
      stockDisplay: 'exact',
    })
    await productOf(shop, { name: 'Hidden thing', visibility: 'hidden' })
    await productOf(shop, { name: 'Draft thing', status: 'draft' })
    await addItems(shop, product, 3)

    const home = await client.get('/').header('host', hostOf(shop)).header('accept-language', 'en')
    home.assertStatus(200)
    assert.include(home.text(), 'Steam key')
    assert.include(home.text(), '12.34')
    assert.include(home.text(), '3 in stock')
    assert.notInclude(home.text(), 'Hidden thing')
    assert.notInclude(home.text(), 'Draft thing')
    assert.notInclude(home.text(), 'There are no products in this shop yet.')

    const page = await client
      .get(`/p/${product.id}`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
    page.assertStatus(200)
    assert.include(page.text(), 'Steam key')
    assert.include(page.text(), `action="/p/${product.id}/checkout"`)
    assert.include(page.text(), '库存 3')
  })

  test('sold out is shown clearly', async ({ client, assert }) => {
    const shop = await createShop(slug())
    const product = await productOf(shop)
    const page = await client
      .get(`/p/${product.id}`)
      .header('host', hostOf(shop))
      .header('accept-language', 'en')
    page.assertStatus(200)
    assert.include(page.text(), 'Sold out')
    assert.notInclude(page.text(), '/checkout"')
  })

  test('checkout reserves exactly the quantity; a tampered price is ignored', async ({
    client,
    assert,
  }) => {
    const shop = await createShop(slug())
    const product = await productOf(shop, { priceMinor: 1_000n })
    await addItems(shop, product, 5)
    const res = await checkout(client, shop, product.id, {
      quantity: '3',
      contactEmail: 'ann@example.test',
      price: '1',
      amountMinor: '1',
      unitPriceMinor: '1',
    })
    res.assertStatus(302)
    const token = tokenOf(res.header('location'))
    assert.deepEqual(await itemCounts(shop), { available: 2, reserved: 3, sold: 0, void: 0 })
    const [order] = await rowsOf('orders', shop)
    assert.equal(String(order.amount_minor), '3000')
    assert.equal(order.query_password_hash, null)

    const page = await openOrder(client, shop, token)
    page.assertStatus(200)
    assert.equal(page.header('cache-control'), 'no-store')
    assert.equal(page.header('referrer-policy'), 'no-referrer')
    assert.include(page.text(), order.order_no)
    assert.include(page.text(), '30.00')
    assert.include(page.text(), 'Waiting for payment')
    assert.include(page.text(), 'Order created')
    assert.notMatch(page.text(), SECRET)
  })

  for (const [label, quantity] of [
    ['zero', '0'],
    ['negative', '-1'],
    ['fractional', '1.5'],
    ['huge', '99999999999'],
    ['array', ['1', '2']],
    ['missing', undefined],
    ['text', 'two'],
  ] as const) {
    test(`quantity ${label} is a form error and nothing is written`, async ({ client, assert }) => {
      const shop = await createShop(slug())
      const product = await productOf(shop)
      await addItems(shop, product, 5)
      const before = await footprint(shop)
      const form: Record<string, unknown> = { contactEmail: 'ann@example.test' }
      if (quantity !== undefined) form.quantity = quantity
      const res = await checkout(client, shop, product.id, form)
      assert.oneOf(res.status(), [302, 400, 422])
      if (res.status() === 302) assert.equal(res.header('location'), `/p/${product.id}`)
      assert.deepEqual(await footprint(shop), before)
    })
  }

  test('bad email and sold out: form error in the buyer language, nothing written', async ({
    client,
    assert,
  }) => {
    const shop = await createShop(slug())
    const product = await productOf(shop)
    await addItems(shop, product, 2)
    const before = await footprint(shop)

    const bad = await checkout(client, shop, product.id, { quantity: '1', contactEmail: 'nope' })
    bad.assertStatus(302)
    assert.equal(bad.header('location'), `/p/${product.id}`)

    const ip = freshIp()
    const soldOut = await checkout(
      client,
      shop,
      product.id,
      { quantity: '3', contactEmail: 'ann@example.test' },
      ip
    )
    soldOut.assertStatus(302)
    assert.equal(soldOut.header('location'), `/p/${product.id}`)
    assert.deepEqual(await footprint(shop), before)

    const zh = await client
      .post(`/p/${product.id}/checkout`)
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .header('accept-language', 'zh-CN')
      .form({ quantity: '3', contactEmail: 'ann@example.test' })
      .withCsrfToken()
      .redirects(0)
    assert.include(String(zh.flashMessage('error')), '库存不足')
    assert.include(String(soldOut.flashMessage('error')), 'not enough stock')
    assert.include(String(bad.flashMessage('error')), 'valid contact email')
    assert.deepEqual(await footprint(shop), before)
  })

  test('a shop under review takes no orders; another shop product is 404', async ({
    client,
    assert,
  }) => {
    const shop = await createShop(slug(), 'pending_review')
    const product = await productOf(shop)
    await addItems(shop, product, 2)
    const before = await footprint(shop)
    const res = await checkout(client, shop, product.id, {
      quantity: '1',
      contactEmail: 'ann@example.test',
    })
    res.assertStatus(302)
    assert.include(String(res.flashMessage('error')), 'not taking orders')
    assert.deepEqual(await footprint(shop), before)

    const other = await createShop(slug())
    const page = await client.get(`/p/${product.id}`).header('host', hostOf(other))
    page.assertStatus(404)
    const foreign = await checkout(client, other, product.id, {
      quantity: '1',
      contactEmail: 'ann@example.test',
    })
    // Like the page: an unknown product (or a hidden one without its ?k= key) is a 404.
    foreign.assertStatus(404)
    assert.deepEqual(await footprint(shop), before)
  })

  test('checkout is rate limited per IP and shop', async ({ client, assert }) => {
    const shop = await createShop(slug())
    const product = await productOf(shop)
    const ip = freshIp()
    let last = 0
    for (let i = 0; i < 21; i++) {
      const res = await checkout(client, shop, product.id, { quantity: '1', contactEmail: 'x' }, ip)
      last = res.status()
    }
    assert.equal(last, 429)
  })
})

test.group('shop orders / order page', (group) => {
  group.each.setup(() => resetState())

  test('pending shows no secrets; delivered shows them and audits every view', async ({
    client,
    assert,
  }) => {
    const shop = await createShop(slug())
    const product = await productOf(shop)
    await addItems(shop, product, 4)
    const res = await checkout(client, shop, product.id, {
      quantity: '2',
      contactEmail: 'ann@example.test',
    })
    const token = tokenOf(res.header('location'))
    const pending = await openOrder(client, shop, token)
    assert.notMatch(pending.text(), SECRET)

    const [order] = await rowsOf('orders', shop)
    await pay(shop, order.order_no, 2_000n, 'T-1', shop.currency)

    const first = await openOrder(client, shop, token)
    first.assertStatus(200)
    assert.equal(first.header('cache-control'), 'no-store')
    assert.lengthOf(first.text().match(SECRET) ?? [], 2)
    assert.include(first.text(), 'data-copy=')
    await openOrder(client, shop, token)

    const audit = await auditOf(shop)
    const reveals = audit.filter((a: any) => a.action === 'order.secrets_revealed')
    assert.lengthOf(reveals, 2)
    const raw = JSON.stringify(reveals)
    assert.notMatch(raw, SECRET)
    assert.notInclude(raw, token)
    assert.equal(String(reveals[0].target_id), String(order.id))
  })

  test('wrong token is 404; another shop cannot open the token', async ({ client }) => {
    const shop = await createShop(slug())
    const other = await createShop(slug())
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const res = await checkout(client, shop, product.id, {
      quantity: '1',
      contactEmail: 'ann@example.test',
    })
    const token = tokenOf(res.header('location'))
    const wrong = await openOrder(client, shop, 'x'.repeat(43))
    wrong.assertStatus(404)
    const foreign = await openOrder(client, other, token)
    foreign.assertStatus(404)
    const own = await openOrder(client, shop, token)
    own.assertStatus(200)
  })
})

test.group('shop orders / lookup', (group) => {
  group.each.setup(() => resetState())

  async function setup(client: ApiClient, queryPassword?: string) {
    const shop = await createShop(slug())
    const product = await productOf(shop)
    await addItems(shop, product, 2)
    const form: Record<string, unknown> = { quantity: '1', contactEmail: 'Ann@Example.test' }
    if (queryPassword) form.queryPassword = queryPassword
    await checkout(client, shop, product.id, form)
    const [order] = await rowsOf('orders', shop)
    return { shop, order }
  }

  function lookup(client: ApiClient, shop: Tenant, form: Record<string, unknown>, ip: string) {
    return client
      .post('/orders/lookup')
      .header('host', hostOf(shop))
      .header('x-forwarded-for', ip)
      .header('accept-language', 'en')
      .form(form)
      .withCsrfToken()
  }

  test('order no + email + query password renders the order', async ({ client, assert }) => {
    const { shop, order } = await setup(client, 'open sesame')
    const res = await lookup(
      client,
      shop,
      { orderNo: order.order_no, contactEmail: 'ann@example.test', queryPassword: 'open sesame' },
      freshIp()
    )
    res.assertStatus(200)
    assert.equal(res.header('cache-control'), 'no-store')
    assert.include(res.text(), order.order_no)
    assert.include(res.text(), 'Waiting for payment')
  })

  test('every mismatch gives the same error; no password set cannot be looked up', async ({
    client,
    assert,
  }) => {
    const { shop, order } = await setup(client, 'open sesame')
    const { shop: shop2, order: order2 } = await setup(client)
    const cases = [
      [shop, { orderNo: order.order_no, contactEmail: 'ann@example.test', queryPassword: 'wrong' }],
      [
        shop,
        { orderNo: order.order_no, contactEmail: 'bob@example.test', queryPassword: 'open sesame' },
      ],
      [shop, { orderNo: 'NOPE', contactEmail: 'ann@example.test', queryPassword: 'open sesame' }],
      [shop2, { orderNo: order2.order_no, contactEmail: 'ann@example.test', queryPassword: '' }],
    ] as const
    for (const [s, form] of cases) {
      const res = await lookup(client, s, form, freshIp())
      res.assertStatus(422)
      assert.include(res.text(), 'No order matches these details.')
      assert.notInclude(res.text(), 'Waiting for payment')
    }
  })

  test('the lookup form renders; a delivered order found by lookup audits the reveal', async ({
    client,
    assert,
  }) => {
    const { shop, order } = await setup(client, 'open sesame')
    const form = await client.get('/orders/lookup').header('host', hostOf(shop))
    form.assertStatus(200)
    assert.include(form.text(), 'action="/orders/lookup"')
    await pay(shop, order.order_no, BigInt(order.amount_minor), 'T-9', shop.currency)
    const res = await lookup(
      client,
      shop,
      { orderNo: order.order_no, contactEmail: 'ann@example.test', queryPassword: 'open sesame' },
      freshIp()
    )
    res.assertStatus(200)
    assert.lengthOf(res.text().match(SECRET) ?? [], 1)
    const audit = await auditOf(shop)
    const reveals = audit.filter((a: any) => a.action === 'order.secrets_revealed')
    assert.lengthOf(reveals, 1)
  })

  test('5 failures from one IP block that IP for any order no', async ({ client }) => {
    const { shop, order } = await setup(client, 'open sesame')
    const ip = freshIp()
    for (let i = 0; i < 5; i++) {
      const res = await lookup(
        client,
        shop,
        { orderNo: `NOPE${i}`, contactEmail: 'ann@example.test', queryPassword: 'x' },
        ip
      )
      res.assertStatus(422)
    }
    const blocked = await lookup(
      client,
      shop,
      { orderNo: order.order_no, contactEmail: 'ann@example.test', queryPassword: 'open sesame' },
      ip
    )
    blocked.assertStatus(429)
  })

  test('5 failures per order no block the lookup, even with the right password', async ({
    client,
    assert,
  }) => {
    const { shop, order } = await setup(client, 'open sesame')
    for (let i = 0; i < 5; i++) {
      const res = await lookup(
        client,
        shop,
        { orderNo: order.order_no, contactEmail: 'ann@example.test', queryPassword: `bad${i}` },
        freshIp()
      )
      res.assertStatus(422)
    }
    const blocked = await lookup(
      client,
      shop,
      { orderNo: order.order_no, contactEmail: 'ann@example.test', queryPassword: 'open sesame' },
      freshIp()
    )
    blocked.assertStatus(429)
    assert.notInclude(blocked.text(), 'Waiting for payment')
  })
})
