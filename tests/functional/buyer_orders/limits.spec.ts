import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import type { ApiClient } from '@japa/api-client'
import type Tenant from '#models/tenant'
import { freshIp, resetState } from '#tests/functional/merchant/_fixtures'
import { pay } from '#tests/functional/delivery/_fixtures'
import { ORDER_LIMITS } from '#actions/storefront/orders/limits'
import {
  SECRET,
  checkoutAs,
  ordersOf,
  revealsOf,
  shopGet,
  shopPost,
  shopWithStock,
} from '#tests/functional/buyer_orders/_helpers'

/** A shop with `count` delivered guest orders (query password `open sesame`); their tokens. */
async function deliveredOrders(client: ApiClient, count: number) {
  const { shop, product } = await shopWithStock(count)
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    tokens.push(await checkoutAs(client, shop, product.id, { queryPassword: 'open sesame' }))
  }
  const orders = await ordersOf(shop)
  for (const o of orders) await pay(shop, o.order_no, 1_000n, `T-${o.id}`, shop.currency)
  return { shop, tokens, orders }
}

function view(client: ApiClient, shop: Tenant, token: string, ip = freshIp(), locale = 'en') {
  return shopGet(client, shop, `/orders/${token}`, { ip, locale }).header('accept', 'text/html')
}

function lookup(client: ApiClient, shop: Tenant, form: Record<string, unknown>, ip: string) {
  return shopPost(client, shop, '/orders/lookup', form, { ip }).header('accept', 'text/html')
}

test.group('buyer orders / rate limits', (group) => {
  group.each.setup(() => resetState())

  test('limits live in one table with per-order reveal and resend caps', ({ assert }) => {
    assert.equal(ORDER_LIMITS.revealsPerOrder.duration, '1 hour')
    assert.equal(ORDER_LIMITS.resendsPerOrder.requests, 3)
    assert.equal(ORDER_LIMITS.lookupFailures.requests, 5)
    assert.property(ORDER_LIMITS.lookupFailures, 'blockDuration')
  })

  test('reveals per order: the next view past the cap is a localised 429 and reveals nothing', async ({
    client,
    assert,
  }) => {
    const { shop, tokens } = await deliveredOrders(client, 1)
    const cap = ORDER_LIMITS.revealsPerOrder.requests
    for (let i = 0; i < cap; i++) {
      const ok = await view(client, shop, tokens[0])
      ok.assertStatus(200)
    }
    const blocked = await view(client, shop, tokens[0])
    blocked.assertStatus(429)
    assert.isAbove(Number(blocked.header('retry-after')), 0)
    assert.include(blocked.text(), 'Too many attempts')
    assert.notMatch(blocked.text(), SECRET)
    const zh = await view(client, shop, tokens[0], freshIp(), 'zh-CN')
    zh.assertStatus(429)
    assert.include(zh.text(), '尝试次数过多')
    assert.lengthOf(await revealsOf(shop), cap, 'only allowed views were revealed and audited')
  })

  test('reveals per shop + IP: one IP is capped across orders; other shops are not affected', async ({
    client,
    assert,
  }) => {
    const { shop, tokens } = await deliveredOrders(client, 4)
    const ip = freshIp()
    const cap = ORDER_LIMITS.reveals.requests
    for (let i = 0; i < cap; i++) {
      const res = await view(client, shop, tokens[i % tokens.length], ip)
      assert.equal(res.status(), 200, `view ${i}`)
    }
    const blocked = await view(client, shop, tokens[0], ip)
    blocked.assertStatus(429)
    // Another client still opens the same order …
    const other = await view(client, shop, tokens[1], freshIp())
    other.assertStatus(200)
    // … and the same IP still opens its order in another shop.
    const second = await deliveredOrders(client, 1)
    const elsewhere = await view(client, second.shop, second.tokens[0], ip)
    elsewhere.assertStatus(200)
    assert.lengthOf(elsewhere.text().match(SECRET) ?? [], 1)
  })

  test('a pending order page is not a reveal and is not capped', async ({ client, assert }) => {
    const { shop, product } = await shopWithStock(1)
    const token = await checkoutAs(client, shop, product.id)
    const ip = freshIp()
    for (let i = 0; i < ORDER_LIMITS.revealsPerOrder.requests + 2; i++) {
      const res = await view(client, shop, token, ip)
      res.assertStatus(200)
    }
    assert.lengthOf(await revealsOf(shop), 0)
  })

  test('wrong lookup passwords lock that order lookup; the same order no in another shop is not locked', async ({
    client,
    assert,
  }) => {
    const a = await deliveredOrders(client, 1)
    const b = await deliveredOrders(client, 1)
    const orderA = a.orders[0]
    for (let i = 0; i < ORDER_LIMITS.lookupFailures.requests; i++) {
      const res = await lookup(
        client,
        a.shop,
        { orderNo: orderA.order_no, contactEmail: 'ann@example.test', queryPassword: `bad-${i}` },
        freshIp()
      )
      res.assertStatus(422)
      assert.include(res.text(), 'No order matches these details.')
    }
    const locked = await lookup(
      client,
      a.shop,
      { orderNo: orderA.order_no, contactEmail: 'ann@example.test', queryPassword: 'open sesame' },
      freshIp()
    )
    locked.assertStatus(429)
    assert.notMatch(locked.text(), SECRET)

    // The same order number typed in shop B (a different order there) is not locked,
    // and shop B's own order is found normally.
    const sameNoInB = await lookup(
      client,
      b.shop,
      { orderNo: orderA.order_no, contactEmail: 'ann@example.test', queryPassword: 'open sesame' },
      freshIp()
    )
    sameNoInB.assertStatus(422)
    const ownInB = await lookup(
      client,
      b.shop,
      {
        orderNo: b.orders[0].order_no,
        contactEmail: 'ann@example.test',
        queryPassword: 'open sesame',
      },
      freshIp()
    )
    ownInB.assertStatus(200)
    assert.lengthOf(ownInB.text().match(SECRET) ?? [], 1)
  })

  test('lookups per shop + IP: an IP blocked in one shop still looks up in another', async ({
    client,
    assert,
  }) => {
    const a = await deliveredOrders(client, 1)
    const b = await deliveredOrders(client, 1)
    const ip = freshIp()
    for (let i = 0; i < ORDER_LIMITS.lookupFailures.requests; i++) {
      await lookup(
        client,
        a.shop,
        { orderNo: `NOPE${i}AAAAA`, contactEmail: 'x@y.zz', queryPassword: 'x' },
        ip
      )
    }
    const blocked = await lookup(
      client,
      a.shop,
      {
        orderNo: a.orders[0].order_no,
        contactEmail: 'ann@example.test',
        queryPassword: 'open sesame',
      },
      ip
    )
    blocked.assertStatus(429)
    const inB = await lookup(
      client,
      b.shop,
      {
        orderNo: b.orders[0].order_no,
        contactEmail: 'ann@example.test',
        queryPassword: 'open sesame',
      },
      ip
    )
    inB.assertStatus(200)
    assert.include(inB.text(), b.orders[0].order_no)
  })

  test('resends per order: the fourth within the hour is a 429, whatever the IP', async ({
    client,
    assert,
  }) => {
    mail.fake()
    const { shop, tokens } = await deliveredOrders(client, 1)
    for (let i = 0; i < ORDER_LIMITS.resendsPerOrder.requests; i++) {
      const res = await shopPost(client, shop, `/orders/${tokens[0]}/resend`)
      res.assertStatus(302)
    }
    const blocked = await shopPost(client, shop, `/orders/${tokens[0]}/resend`).header(
      'accept',
      'text/html'
    )
    blocked.assertStatus(429)
    assert.include(blocked.text(), 'Too many attempts')
    assert.include(blocked.text(), `href="/orders/${tokens[0]}"`, 'back to the order page')
    mail.restore()
  })

  test('resends per shop + IP: one IP is capped across orders; another shop is not', async ({
    client,
  }) => {
    mail.fake()
    const { shop, tokens } = await deliveredOrders(client, 4)
    const ip = freshIp()
    let sent = 0
    for (const token of tokens) {
      for (let i = 0; i < ORDER_LIMITS.resendsPerOrder.requests; i++) {
        if (sent === ORDER_LIMITS.resends.requests) break
        const res = await shopPost(client, shop, `/orders/${token}/resend`, {}, { ip })
        res.assertStatus(302)
        sent++
      }
    }
    const blocked = await shopPost(client, shop, `/orders/${tokens[3]}/resend`, {}, { ip })
    blocked.assertStatus(429)
    const b = await deliveredOrders(client, 1)
    const elsewhere = await shopPost(client, b.shop, `/orders/${b.tokens[0]}/resend`, {}, { ip })
    elsewhere.assertStatus(302)
    mail.restore()
  })
})
