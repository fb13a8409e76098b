import { test } from '@japa/runner'
import { withTenant } from '#tenancy'
import { claimItems, createOrder, DeliveryError, setReservationTtl, SoldOutError } from '#delivery'
import { createShop, resetState } from '#tests/functional/merchant/_fixtures'
import {
  addItems,
  footprint,
  itemCounts,
  productOf,
  rowsOf,
} from '#tests/functional/delivery/_fixtures'

const email = 'buyer@example.test'

test.group('delivery / checkout', (group) => {
  group.each.setup(() => resetState())

  test('an order reserves exactly its quantity, priced by the server', async ({ assert }) => {
    const shop = await createShop('dl-shop')
    const product = await productOf(shop, {
      wholesaleTiers: [
        { minQuantity: 3, unitPriceMinor: 900n },
        { minQuantity: 5, unitPriceMinor: 800n },
      ],
    })
    await addItems(shop, product, 10)
    const created = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 3,
      contactEmail: email,
      queryPassword: 'open sesame',
    })
    assert.equal(created.order.status, 'pending')
    assert.equal(created.order.amountMinor, 2_700n, 'wholesale tier qty>=3 applies')
    assert.equal(created.quote.unitPriceMinor, 900n)
    assert.lengthOf(created.reservedItemIds, 3)
    assert.match(created.publicToken, /^[A-Za-z0-9_-]{43}$/)
    assert.match(created.order.orderNo, /^\d{8}[A-Z0-9]{10}$/)
    assert.isTrue(created.order.hasQueryPassword)
    const ttl = created.order.reservedUntil!.getTime() - created.order.createdAt.getTime()
    assert.closeTo(ttl, 15 * 60_000, 5_000, 'default TTL 15 minutes')
    assert.deepEqual(await itemCounts(shop), { available: 7, reserved: 3, sold: 0, void: 0 })

    const [order] = await rowsOf('orders', shop)
    assert.notEqual(order.public_token_hash, created.publicToken, 'token stored hashed')
    assert.notInclude(String(order.query_password_hash), 'open sesame')
    const events = await rowsOf('order_events', shop)
    assert.deepEqual(
      events.map((e) => e.kind),
      ['created', 'reserved']
    )
  })

  test('the per-shop TTL applies', async ({ assert }) => {
    const shop = await createShop('dl-shop')
    await withTenant((trx) => setReservationTtl(trx, shop.id, 5), shop.toRef())
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const { order } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: email,
    })
    const ttl = order.reservedUntil!.getTime() - order.createdAt.getTime()
    assert.closeTo(ttl, 5 * 60_000, 5_000)
  })

  test('sold out is a clear typed error and writes nothing', async ({ assert }) => {
    const shop = await createShop('dl-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 2)
    const before = await footprint(shop)
    const error = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 3,
      contactEmail: email,
    }).catch((e) => e)
    assert.instanceOf(error, SoldOutError)
    assert.equal(error.code, 'E_SOLD_OUT')
    assert.deepEqual(await footprint(shop), before)
    assert.deepEqual(await itemCounts(shop), { available: 2, reserved: 0, sold: 0, void: 0 })
  })

  test('bad input: typed errors, nothing written', async ({ assert }) => {
    const shop = await createShop('dl-shop')
    const other = await createShop('dl-other')
    const product = await productOf(shop, { maxQuantity: 5 })
    const foreign = await productOf(other)
    await addItems(shop, product, 10)
    await addItems(other, foreign, 10)
    const draft = await productOf(shop, { status: 'draft' })
    const before = await footprint(shop)
    const base = { tenant: shop.toRef(), productId: product.id, contactEmail: email }
    const cases: Array<[string, any, string]> = [
      ['quantity 0', { ...base, quantity: 0 }, 'E_INVALID_QUANTITY'],
      ['negative', { ...base, quantity: -1 }, 'E_INVALID_QUANTITY'],
      ['fractional', { ...base, quantity: 1.5 }, 'E_INVALID_QUANTITY'],
      ['huge', { ...base, quantity: 1e12 }, 'E_INVALID_QUANTITY'],
      ['NaN', { ...base, quantity: Number.NaN }, 'E_INVALID_QUANTITY'],
      ['string', { ...base, quantity: '2' }, 'E_INVALID_QUANTITY'],
      ['above product max', { ...base, quantity: 6 }, 'E_QUANTITY_OUT_OF_RANGE'],
      [
        'another shop product',
        { ...base, productId: foreign.id, quantity: 1 },
        'E_PRODUCT_NOT_FOUND',
      ],
      ['no such product', { ...base, productId: 999_999, quantity: 1 }, 'E_PRODUCT_NOT_FOUND'],
      ['draft product', { ...base, productId: draft.id, quantity: 1 }, 'E_PRODUCT_UNAVAILABLE'],
      ['tampered price', { ...base, quantity: 1, priceMinor: 1n }, 'E_CHECKOUT_INVALID'],
      ['tampered amount', { ...base, quantity: 1, amountMinor: 1 }, 'E_CHECKOUT_INVALID'],
      ['bad email', { ...base, quantity: 1, contactEmail: 'nope' }, 'E_CHECKOUT_INVALID'],
    ]
    for (const [label, input, code] of cases) {
      const error = await createOrder(input).catch((e) => e)
      assert.instanceOf(error, DeliveryError, label)
      assert.equal(error.code, code, label)
    }
    assert.deepEqual(await footprint(shop), before)
    assert.deepEqual(await itemCounts(other), { available: 10, reserved: 0, sold: 0, void: 0 })
  })

  test('per-buyer limit counts open orders of the same contact', async ({ assert }) => {
    const shop = await createShop('dl-shop')
    const product = await productOf(shop, { perBuyerLimit: 2 })
    await addItems(shop, product, 10)
    const input = { tenant: shop.toRef(), productId: product.id, contactEmail: email }
    await createOrder({ ...input, quantity: 2 })
    const error = await createOrder({
      ...input,
      quantity: 1,
      contactEmail: 'BUYER@example.test',
    }).catch((e) => e)
    assert.equal(error.code, 'E_BUYER_LIMIT')
    await createOrder({ ...input, quantity: 2, contactEmail: 'other@example.test' })
  })

  test('text products need no stock', async ({ assert }) => {
    const shop = await createShop('dl-shop')
    const product = await productOf(shop, {
      type: 'text',
      textContent: 'https://example.test/guide',
    })
    const { order, reservedItemIds } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 4,
      contactEmail: email,
    })
    assert.equal(order.amountMinor, 4_000n)
    assert.deepEqual(reservedItemIds, [])
  })

  test('the reservation statement claims exactly n rows (pinned)', async ({ assert }) => {
    const shop = await createShop('dl-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 20)
    const { order } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: email,
    })
    for (const n of [1, 2, 5]) {
      const claimed = await withTenant(
        (trx) => claimItems(trx, shop.id, product.id, order.id, n),
        shop.toRef()
      )
      assert.lengthOf(claimed, n, `LIMIT ${n} claims ${n}`)
    }
    assert.deepEqual(await itemCounts(shop), { available: 11, reserved: 9, sold: 0, void: 0 })
  })
})
