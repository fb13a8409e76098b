import { test } from '@japa/runner'
import { resetState, createShop } from '#tests/functional/merchant/_fixtures'
import { addItems, footprint, pay, productOf } from '#tests/functional/delivery/_fixtures'
import { createOrder } from '#delivery'
import {
  SECRET,
  buyerOf,
  checkoutAs,
  ordersOf,
  revealsOf,
  shopGet,
  shopWithStock,
  slug,
} from '#tests/functional/buyer_orders/_helpers'

test.group('buyer orders / my orders', (group) => {
  group.each.setup(() => resetState())

  test('checkout while signed in sets buyer_id; a guest checkout does not', async ({
    client,
    assert,
  }) => {
    const { shop, product } = await shopWithStock(3)
    const ann = await buyerOf(shop)
    await checkoutAs(client, shop, product.id, { buyer: ann })
    await checkoutAs(client, shop, product.id)
    const [mine, guest] = await ordersOf(shop)
    assert.equal(Number(mine.buyer_id), ann.id)
    assert.isNull(guest.buyer_id)
  })

  test('lists only this buyer orders in this shop, newest first; other buyers see none', async ({
    client,
    assert,
  }) => {
    const { shop, product } = await shopWithStock(5)
    const ann = await buyerOf(shop, 'ann@example.test')
    const bob = await buyerOf(shop, 'bob@example.test')
    await checkoutAs(client, shop, product.id, { buyer: ann, quantity: '1' })
    await checkoutAs(client, shop, product.id, { buyer: ann, quantity: '2' })
    await checkoutAs(client, shop, product.id, { buyer: bob })
    const [first, second, bobs] = await ordersOf(shop)

    const page = await shopGet(client, shop, '/account/orders', { buyer: ann })
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, second.order_no)
    assert.include(html, first.order_no)
    assert.isBelow(html.indexOf(second.order_no), html.indexOf(first.order_no), 'newest first')
    assert.notInclude(html, bobs.order_no)
    assert.include(html, 'Game key × 2')
    assert.include(html, 'CNY 20.00')
    assert.include(html, 'Waiting for payment')

    const bobPage = await shopGet(client, shop, '/account/orders', { buyer: bob, locale: 'zh-CN' })
    assert.include(bobPage.text(), bobs.order_no)
    assert.notInclude(bobPage.text(), first.order_no)
    assert.include(bobPage.text(), '我的订单')

    // A buyer with no orders sees an honest empty list.
    const cat = await buyerOf(shop, 'cat@example.test')
    const empty = await shopGet(client, shop, '/account/orders', { buyer: cat })
    assert.include(empty.text(), 'You have no orders in this shop yet.')
  })

  test('pages of 20; garbage page numbers show page 1', async ({ client, assert }) => {
    const shop = await createShop(slug())
    const product = await productOf(shop, { name: 'Game key' })
    await addItems(shop, product, 25)
    const ann = await buyerOf(shop)
    for (let i = 0; i < 25; i++) {
      await createOrder({
        tenant: shop.toRef(),
        productId: product.id,
        quantity: 1,
        contactEmail: 'ann@example.test',
        buyerId: ann.id,
      })
    }
    const orders = await ordersOf(shop)
    const count = (html: string) => orders.filter((o: any) => html.includes(o.order_no)).length

    const one = await shopGet(client, shop, '/account/orders', { buyer: ann })
    assert.equal(count(one.text()), 20)
    assert.include(one.text(), orders[24].order_no)
    assert.include(one.text(), 'href="/account/orders?page=2"')
    const two = await shopGet(client, shop, '/account/orders?page=2', { buyer: ann })
    assert.equal(count(two.text()), 5)
    assert.include(two.text(), orders[0].order_no)
    assert.include(two.text(), 'href="/account/orders?page=1"')
    assert.notInclude(two.text(), 'page=3')

    for (const bad of ['0', '-1', 'abc', '1e3', '99999999999999999999', '%00', '2&page=3']) {
      const res = await shopGet(client, shop, `/account/orders?page=${bad}`, { buyer: ann })
      assert.oneOf(res.status(), [200], `page=${bad}`)
    }
    const far = await shopGet(client, shop, '/account/orders?page=400', { buyer: ann })
    far.assertStatus(200)
    assert.equal(count(far.text()), 0)
  })

  test('one order: delivered shows the keys and audits the reveal with the buyer as actor', async ({
    client,
    assert,
  }) => {
    const { shop, product } = await shopWithStock(3)
    const ann = await buyerOf(shop)
    await checkoutAs(client, shop, product.id, { buyer: ann, quantity: '2' })
    const [order] = await ordersOf(shop)

    const pending = await shopGet(client, shop, `/account/orders/${order.order_no}`, { buyer: ann })
    pending.assertStatus(200)
    assert.equal(pending.header('cache-control'), 'no-store')
    assert.notMatch(pending.text(), SECRET)
    assert.include(pending.text(), 'Your stock is reserved until')
    assert.lengthOf(await revealsOf(shop), 0)

    await pay(shop, order.order_no, 2_000n, 'T-1', shop.currency)
    const delivered = await shopGet(
      client,
      shop,
      `/account/orders/${order.order_no.toLowerCase()}`,
      {
        buyer: ann,
      }
    )
    delivered.assertStatus(200)
    assert.lengthOf(delivered.text().match(SECRET) ?? [], 2)
    assert.include(delivered.text(), 'data-copy=')
    assert.include(delivered.text(), 'src="/js/copy.js"')
    assert.include(
      delivered.text(),
      `action="/account/orders/${order.order_no.toLowerCase()}/resend"`
    )

    const [reveal] = await revealsOf(shop)
    assert.equal(reveal.actor_type, 'buyer')
    assert.equal(Number(reveal.actor_id), ann.id)
    assert.equal(reveal.metadata.via, 'account')
    assert.equal(reveal.metadata.guest, false)
    assert.notMatch(JSON.stringify(reveal), SECRET)
  })

  test("another buyer's order, another shop's order and garbage numbers are 404", async ({
    client,
    assert,
  }) => {
    const { shop, product } = await shopWithStock(3)
    const ann = await buyerOf(shop, 'ann@example.test')
    const bob = await buyerOf(shop, 'bob@example.test')
    await checkoutAs(client, shop, product.id, { buyer: ann })
    const [order] = await ordersOf(shop)
    await pay(shop, order.order_no, 1_000n, 'T-1', shop.currency)

    const { shop: other, product: otherProduct } = await shopWithStock(1)
    const carl = await buyerOf(other, 'carl@example.test')
    await checkoutAs(client, other, otherProduct.id, { buyer: carl })
    const [otherOrder] = await ordersOf(other)
    const before = await footprint(shop)

    const asBob = await shopGet(client, shop, `/account/orders/${order.order_no}`, { buyer: bob })
    asBob.assertStatus(404)
    assert.include(asBob.text(), 'There is no such order here, or it is not yours.')
    assert.notMatch(asBob.text(), SECRET)

    const foreign = await shopGet(client, shop, `/account/orders/${otherOrder.order_no}`, {
      buyer: ann,
    })
    foreign.assertStatus(404)
    const zh = await shopGet(client, shop, `/account/orders/${otherOrder.order_no}`, {
      buyer: ann,
      locale: 'zh-CN',
    })
    assert.include(zh.text(), '这里没有此订单，或此订单不属于您。')

    for (const garbage of [
      'x',
      'A'.repeat(5000),
      '%00%00',
      '..%2F..%2Fetc',
      '1;DROP TABLE',
      '订单号',
    ]) {
      const res = await shopGet(client, shop, `/account/orders/${garbage}`, { buyer: ann })
      assert.oneOf(res.status(), [400, 404], garbage.slice(0, 20))
    }
    assert.lengthOf(await revealsOf(shop), 0)
    assert.deepEqual(await footprint(shop), before)
  })

  test('signed out: my orders sends to the login page', async ({ client, assert }) => {
    const { shop } = await shopWithStock(1)
    const res = await shopGet(client, shop, '/account/orders')
    res.assertStatus(302)
    assert.equal(res.header('location'), '/account/login')
    const one = await shopGet(client, shop, '/account/orders/20261125AAAAAAAAAA')
    one.assertStatus(302)
  })
})
