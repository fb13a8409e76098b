import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { resetState } from '#tests/functional/merchant/_fixtures'
import { footprint, pay } from '#tests/functional/delivery/_fixtures'
import {
  SECRET,
  auditCount,
  buyerOf,
  checkoutAs,
  eventCount,
  ordersOf,
  shopGet,
  shopPost,
  shopWithStock,
  until,
} from '#tests/functional/buyer_orders/_helpers'

const GARBAGE_ORDER_NOS: unknown[] = [
  '',
  ' ',
  '\u0000\u0000',
  "20261125' OR '1'='1",
  '<script>alert(1)</script>',
  '订单号订单号订单号',
  'A'.repeat(10_000),
  ['20261125AAAAAAAAAA', 'B'],
  { $ne: null },
]

test.group('buyer orders / bad input', (group) => {
  group.each.setup(() => resetState())
  group.each.teardown(() => mail.restore())

  test('garbage order numbers and huge fields at lookup: 422 with the one message, nothing written', async ({
    client,
    assert,
  }) => {
    mail.fake()
    const { shop, product } = await shopWithStock(2)
    await checkoutAs(client, shop, product.id, { queryPassword: 'open sesame' })
    const [order] = await ordersOf(shop)
    await pay(shop, order.order_no, 1_000n, 'T-1', shop.currency)
    await until(async () => (await eventCount(shop, 'mailed')) > 0)
    const before = { rows: await footprint(shop), audit: await auditCount(shop) }

    const forms: Record<string, unknown>[] = GARBAGE_ORDER_NOS.map((orderNo) => ({
      orderNo,
      contactEmail: 'ann@example.test',
      queryPassword: 'open sesame',
    }))
    forms.push(
      { orderNo: order.order_no, contactEmail: 'x'.repeat(100_000), queryPassword: 'open sesame' },
      {
        orderNo: order.order_no,
        contactEmail: 'ann@example.test',
        queryPassword: 'p'.repeat(100_000),
      },
      {
        orderNo: order.order_no,
        contactEmail: ['ann@example.test', 'b@c.de'],
        queryPassword: ['open sesame', 'x'],
      },
      {}
    )
    for (const form of forms) {
      for (const locale of ['en', 'zh-CN']) {
        const res = await shopPost(client, shop, '/orders/lookup', form, { locale })
        const label = JSON.stringify(form).slice(0, 60)
        // 422, or 429 once the same (empty or real) order number has failed 5 times
        assert.oneOf(res.status(), [422, 429], label)
        const expected =
          res.status() === 422
            ? { 'en': 'No order matches these details.', 'zh-CN': '没有' }
            : { 'en': 'Too many attempts', 'zh-CN': '尝试次数过多' }
        assert.include(res.text(), expected[locale as 'en' | 'zh-CN'], label)
        assert.notMatch(res.text(), SECRET)
        assert.notInclude(res.text(), '<script>alert(1)</script>')
      }
    }
    assert.deepEqual(
      { rows: await footprint(shop), audit: await auditCount(shop) },
      before,
      'nothing written'
    )
  })

  test("another shop's order number with the right email and password is not found there", async ({
    client,
    assert,
  }) => {
    const a = await shopWithStock(1)
    const b = await shopWithStock(1)
    await checkoutAs(client, a.shop, a.product.id, { queryPassword: 'open sesame' })
    const [order] = await ordersOf(a.shop)
    const before = await footprint(b.shop)
    const res = await shopPost(client, b.shop, '/orders/lookup', {
      orderNo: order.order_no,
      contactEmail: 'ann@example.test',
      queryPassword: 'open sesame',
    })
    res.assertStatus(422)
    assert.notInclude(res.text(), 'Waiting for payment')
    assert.deepEqual(await footprint(b.shop), before)
  })

  test('the lookup form prefills only a well-formed order number', async ({ client, assert }) => {
    const { shop } = await shopWithStock(1)
    const good = await shopGet(client, shop, '/orders/lookup?orderNo=20261125abcdEFGH12')
    good.assertStatus(200)
    assert.include(good.text(), 'value="20261125ABCDEFGH12"')
    for (const bad of [
      '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      '%00',
      'a&orderNo=b',
      'x'.repeat(3000),
    ]) {
      const res = await shopGet(client, shop, `/orders/lookup?orderNo=${bad}`)
      res.assertStatus(200)
      assert.notInclude(res.text(), '<script>alert(1)')
      assert.include(res.text(), 'name="orderNo"')
    }
  })

  test('garbage tokens and order numbers on pages and resends: 404, nothing written', async ({
    client,
    assert,
  }) => {
    mail.fake()
    const { shop, product } = await shopWithStock(1)
    const ann = await buyerOf(shop)
    await checkoutAs(client, shop, product.id, { buyer: ann })
    const before = { rows: await footprint(shop), audit: await auditCount(shop) }
    const paths = ['short', 'x'.repeat(43), '%00'.repeat(20), 'a'.repeat(129), '..%2F..%2F']
    for (const p of paths) {
      const page = await shopGet(client, shop, `/orders/${p}`)
      assert.equal(page.status(), 404, p.slice(0, 20))
      const resend = await shopPost(client, shop, `/orders/${p}/resend`)
      assert.equal(resend.status(), 404, p.slice(0, 20))
      const mine = await shopPost(client, shop, `/account/orders/${p}/resend`, {}, { buyer: ann })
      assert.equal(mine.status(), 404, p.slice(0, 20))
      const lookupResend = await shopPost(client, shop, `/orders/lookup/${p}/resend`)
      assert.equal(lookupResend.status(), 302, p.slice(0, 20))
    }
    assert.deepEqual({ rows: await footprint(shop), audit: await auditCount(shop) }, before)
  })

  test('resend without a CSRF token is refused', async ({ client, assert }) => {
    const { shop, product } = await shopWithStock(1)
    const token = await checkoutAs(client, shop, product.id)
    const before = await footprint(shop)
    const res = await client
      .post(`/orders/${token}/resend`)
      .header('host', `${shop.slug}.localhost`)
      .form({})
      .redirects(0)
    assert.oneOf(res.status(), [302, 403])
    assert.deepEqual(await footprint(shop), before)
  })
})
