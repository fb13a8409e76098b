import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import type Tenant from '#models/tenant'
import { createShop, freshIp, hostOf, resetState } from '#tests/functional/merchant/_fixtures'
import { addItems, footprint, productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import { couponOf } from '#tests/functional/coupons/_fixtures'

function checkout(
  client: ApiClient,
  shop: Tenant,
  productId: number,
  form: Record<string, unknown>,
  locale = 'en'
) {
  return client
    .post(`/p/${productId}/checkout`)
    .header('host', hostOf(shop))
    .header('x-forwarded-for', freshIp())
    .header('accept-language', locale)
    .form({ quantity: '1', contactEmail: 'ann@example.test', ...form })
    .withCsrfToken()
    .redirects(0)
}

test.group('coupons / storefront checkout', (group) => {
  group.each.setup(() => resetState())

  test('the product page has an optional coupon field; a coupon order shows subtotal, discount and total', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('cps-shop')
    const product = await productOf(shop, { priceMinor: 2_000n })
    await addItems(shop, product, 5)
    await couponOf(shop, { code: 'HALF', value: 50n })

    const page = await client
      .get(`/p/${product.id}`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
    page.assertStatus(200)
    assert.include(page.text(), 'name="couponCode"')
    assert.include(page.text(), '优惠码（可选）')

    const res = await checkout(client, shop, product.id, { quantity: '2', couponCode: ' half ' })
    res.assertStatus(302)
    const token = /^\/orders\/(.+)$/.exec(res.header('location') ?? '')![1]
    const [order] = await rowsOf('orders', shop)
    assert.equal(String(order.amount_minor), '2000')
    assert.equal(String(order.discount_minor), '2000')

    const view = await client
      .get(`/orders/${token}`)
      .header('host', hostOf(shop))
      .header('accept-language', 'en')
    view.assertStatus(200)
    const html = view.text()
    assert.include(html, 'Subtotal')
    assert.include(html, 'CNY 40.00')
    assert.include(html, 'Discount (HALF)')
    assert.include(html, '−CNY 20.00')
    assert.include(html, 'Total to pay')
    assert.match(html, /class="[^"]*order-total[^"]*">CNY 20\.00</)
  })

  test('an order without a coupon shows its amount as before', async ({ client, assert }) => {
    const shop = await createShop('cps-shop')
    const product = await productOf(shop, { priceMinor: 2_000n })
    await addItems(shop, product, 1)
    const res = await checkout(client, shop, product.id, { couponCode: '' })
    res.assertStatus(302)
    const token = /^\/orders\/(.+)$/.exec(res.header('location') ?? '')![1]
    const view = await client.get(`/orders/${token}`).header('host', hostOf(shop))
    assert.notInclude(view.text(), 'Subtotal')
    assert.include(view.text(), 'CNY 20.00')
    const [order] = await rowsOf('orders', shop)
    assert.isNull(order.coupon_id)
  })

  test('refused coupons: a localised error at the form, the input kept, nothing written', async ({
    client,
    assert,
  }) => {
    const shop = await createShop('cps-shop')
    const other = await createShop('cps-other')
    const product = await productOf(shop, { priceMinor: 1_000n })
    await addItems(shop, product, 3)
    await couponOf(shop, {
      code: 'OLD',
      startsAt: new Date(Date.now() - 7_200_000),
      endsAt: new Date(Date.now() - 3_600_000),
    })
    await couponOf(shop, { code: 'BIGORDER', minAmountMinor: 5_000n })
    await couponOf(other, { code: 'ELSEWHERE' })
    const before = await footprint(shop)

    const cases: Array<[string, string, string]> = [
      ['nope', 'en', 'This coupon code does not exist in this shop.'],
      ['ELSEWHERE', 'en', 'This coupon code does not exist in this shop.'],
      ['old', 'zh-CN', '此优惠券已过期。'],
      ['BigOrder', 'en', 'This coupon needs an order of at least CNY 50.00.'],
      ['BigOrder', 'zh-CN', '此优惠券需订单满 CNY 50.00 才能使用。'],
      ['x'.repeat(10_000), 'en', 'This coupon code does not exist in this shop.'],
    ]
    for (const [code, locale, message] of cases) {
      const res = await checkout(client, shop, product.id, { couponCode: code }, locale)
      res.assertStatus(302)
      assert.equal(res.header('location'), `/p/${product.id}`)
      assert.equal(res.flashMessage('error'), message, code.slice(0, 20))
      assert.deepEqual(res.flashMessage('inputErrorsBag'), { couponCode: [message] })
      assert.equal(res.flashMessage('couponCode'), code.slice(0, 64))
      assert.equal(res.flashMessage('contactEmail'), 'ann@example.test')
    }
    const array = await checkout(client, shop, product.id, { couponCode: ['A', 'B'] })
    assert.equal(array.flashMessage('error'), 'This coupon code does not exist in this shop.')
    assert.deepEqual(await footprint(shop), before)

    // The product page shows the message at the field and keeps what the buyer typed.
    const page = await client
      .get(`/p/${product.id}`)
      .header('host', hostOf(shop))
      .header('accept-language', 'en')
      .withFlashMessages({
        error: 'This coupon has expired.',
        couponCode: 'old',
        contactEmail: 'ann@example.test',
        inputErrorsBag: { couponCode: ['This coupon has expired.'] },
      })
    page.assertStatus(200)
    assert.match(page.text(), /id="f-couponCode" name="couponCode" type="text"\s+value="old"/)
    assert.include(
      page.text(),
      '<small class="error" id="e-couponCode">This coupon has expired.</small>'
    )
    assert.include(page.text(), 'value="ann@example.test"')
  })
})
