import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import type { BaseMail } from '@adonisjs/mail'
import type { ApiClient } from '@japa/api-client'
import type Tenant from '#models/tenant'
import { resetState } from '#tests/functional/merchant/_fixtures'
import { pay, rowsOf } from '#tests/functional/delivery/_fixtures'
import OrderDeliveryMail from '#mails/storefront/order_delivery_mail'
import {
  SECRET,
  buyerOf,
  checkoutAs,
  eventCount,
  ordersOf,
  shopGet,
  shopPost,
  shopWithStock,
  until,
} from '#tests/functional/buyer_orders/_helpers'

async function eventsOf(shop: Tenant, kind: string) {
  return rowsOf('order_events', shop).where('kind', kind)
}

/** A delivered guest order whose first delivery mail has gone out. */
async function delivered(client: ApiClient, queryPassword?: string) {
  const { shop, product } = await shopWithStock(2)
  const token = await checkoutAs(client, shop, product.id, {
    contactEmail: 'Ann@Example.test',
    queryPassword,
  })
  const [order] = await ordersOf(shop)
  await pay(shop, order.order_no, 1_000n, 'T-1', shop.currency)
  await until(async () => (await eventCount(shop, 'mailed')) === 1)
  return { shop, token, order }
}

/** Subject, recipients and rendered bodies of a sent mail. */
async function mailJson(sent: BaseMail) {
  await sent.message.computeContents()
  return sent.message.toJSON().message as {
    to: any
    subject: string
    html: string
    text: string
  }
}

test.group('buyer orders / resend the delivery mail', (group) => {
  group.each.setup(() => resetState())
  group.each.teardown(() => mail.restore())

  test('from the token page: to the contact email only, in the buyer language, recorded as mail_resent', async ({
    client,
    assert,
  }) => {
    const { mails: messages } = mail.fake()
    const { shop, token, order } = await delivered(client, 'open sesame')
    assert.lengthOf(messages.sent(), 1, 'the delivery mail')

    const res = await shopPost(
      client,
      shop,
      `/orders/${token}/resend`,
      { email: 'evil@example.test', to: 'evil@example.test', contactEmail: 'evil@example.test' },
      { locale: 'zh-CN' }
    )
    res.assertStatus(302)
    assert.equal(res.header('location'), `/orders/${token}`)
    assert.include(String(res.flashMessage('notice')), 'A**@Example.test')

    assert.isTrue(await until(async () => (await eventCount(shop, 'mail_resent')) === 1))
    const [event] = await eventsOf(shop, 'mail_resent')
    assert.deepEqual(event.data, { by: 'buyer' })

    const sent = messages.sent()
    assert.lengthOf(sent, 2)
    const resent = await mailJson(sent[1])
    assert.deepEqual(
      [resent.to].flat().map((t: any) => t.address ?? t),
      ['Ann@Example.test']
    )
    assert.include(resent.subject, order.order_no)
    assert.include(resent.subject, '您的订单')
    assert.include(resent.text, `/orders/lookup?orderNo=${order.order_no}`)
    assert.include(resent.html, `/orders/lookup?orderNo=${order.order_no}`)
    for (const body of [resent.text, resent.html, resent.subject]) {
      assert.notMatch(body, SECRET)
      assert.notInclude(body, token)
      assert.notInclude(body, 'evil@')
    }

    const page = await shopGet(client, shop, `/orders/${token}`)
    assert.include(page.text(), 'Email sent again')
    assert.include(page.text(), `action="/orders/${token}/resend"`)
  })

  test('a pending order has no mail to resend: clear message, nothing sent or recorded', async ({
    client,
    assert,
  }) => {
    const { mails: messages } = mail.fake()
    const { shop, product } = await shopWithStock(1)
    const token = await checkoutAs(client, shop, product.id)
    const page = await shopGet(client, shop, `/orders/${token}`)
    assert.notInclude(page.text(), '/resend"')
    const res = await shopPost(client, shop, `/orders/${token}/resend`)
    res.assertStatus(302)
    assert.equal(res.flashMessage('error'), 'The order email is sent once the order is paid.')
    await new Promise((r) => setTimeout(r, 100))
    assert.lengthOf(await eventsOf(shop, 'mail_resent'), 0)
    assert.lengthOf(messages.sent(), 0)
  })

  test('unknown token or another shop: 404, nothing sent', async ({ client, assert }) => {
    const { mails: messages } = mail.fake()
    const { shop, token } = await delivered(client)
    const { shop: other } = await shopWithStock(1)
    const wrong = await shopPost(client, shop, `/orders/${'x'.repeat(43)}/resend`)
    wrong.assertStatus(404)
    const foreign = await shopPost(client, other, `/orders/${token}/resend`)
    foreign.assertStatus(404)
    const huge = await shopPost(client, shop, `/orders/${'y'.repeat(5000)}/resend`)
    assert.oneOf(huge.status(), [404, 414, 431, 400])
    await new Promise((r) => setTimeout(r, 100))
    assert.lengthOf(await eventsOf(shop, 'mail_resent'), 0)
    assert.lengthOf(messages.sent(), 1, 'only the original delivery mail')
  })

  test('after a lookup this session may resend for 30 minutes; another session may not', async ({
    client,
    assert,
  }) => {
    const { mails: messages } = mail.fake()
    const { shop, order } = await delivered(client, 'open sesame')
    const found = await shopPost(client, shop, '/orders/lookup', {
      orderNo: order.order_no,
      contactEmail: 'ann@example.test',
      queryPassword: 'open sesame',
    })
    found.assertStatus(200)
    const action = `/orders/lookup/${order.order_no}/resend`
    assert.include(found.text(), `action="${action}"`)

    const stranger = await shopPost(client, shop, action)
    stranger.assertStatus(302)
    assert.equal(stranger.flashMessage('error'), 'Please find the order again to resend its email.')
    assert.lengthOf(await eventsOf(shop, 'mail_resent'), 0)

    const res = await shopPost(client, shop, action).withSession(found.session())
    res.assertStatus(302)
    assert.equal(res.header('location'), `/orders/lookup?orderNo=${order.order_no}`)
    assert.include(String(res.flashMessage('notice')), '@Example.test')
    assert.isTrue(await until(async () => (await eventCount(shop, 'mail_resent')) === 1))
    assert.lengthOf(messages.sent(), 2)

    // The prefilled lookup form the redirect lands on
    const form = await shopGet(client, shop, `/orders/lookup?orderNo=${order.order_no}`)
    assert.include(form.text(), `value="${order.order_no}"`)
  })

  test('from my orders: own order only', async ({ client, assert }) => {
    const { mails: messages } = mail.fake()
    const { shop, product } = await shopWithStock(2)
    const ann = await buyerOf(shop, 'ann@example.test')
    const bob = await buyerOf(shop, 'bob@example.test')
    await checkoutAs(client, shop, product.id, { buyer: ann })
    const [order] = await ordersOf(shop)
    await pay(shop, order.order_no, 1_000n, 'T-1', shop.currency)
    await until(async () => (await eventCount(shop, 'mailed')) === 1)
    const delivery = await mailJson(messages.sent()[0])
    assert.include(delivery.text, 'sign in to your account')

    const asBob = await shopPost(
      client,
      shop,
      `/account/orders/${order.order_no}/resend`,
      {},
      {
        buyer: bob,
      }
    )
    asBob.assertStatus(404)
    const asAnn = await shopPost(
      client,
      shop,
      `/account/orders/${order.order_no}/resend`,
      {},
      {
        buyer: ann,
      }
    )
    asAnn.assertStatus(302)
    assert.equal(asAnn.header('location'), `/account/orders/${order.order_no}`)
    assert.isTrue(await until(async () => (await eventCount(shop, 'mail_resent')) === 1))
    messages.assertSent(OrderDeliveryMail, (m) => m.to === 'ann@example.test')
    assert.lengthOf(messages.sent(), 2)
  })
})
