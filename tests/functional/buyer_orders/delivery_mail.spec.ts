import { readFileSync } from 'node:fs'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import type { BaseMail } from '@adonisjs/mail'
import type { ApiClient } from '@japa/api-client'
import { DeliveryMailJob } from '#delivery'
import env from '#start/env'
import { resetState } from '#tests/functional/merchant/_fixtures'
import { pay, rowsOf } from '#tests/functional/delivery/_fixtures'
import {
  SECRET,
  checkoutAs,
  eventCount,
  ordersOf,
  shopWithStock,
  until,
} from '#tests/functional/buyer_orders/_helpers'

async function rendered(sent: BaseMail) {
  await sent.message.computeContents()
  return sent.message.toJSON().message as { subject: string; html: string; text: string }
}

async function deliveredIn(client: ApiClient, locale: 'en' | 'zh-CN', queryPassword?: string) {
  const { shop, product } = await shopWithStock(1, locale)
  const token = await checkoutAs(client, shop, product.id, { queryPassword })
  const [order] = await ordersOf(shop)
  await pay(shop, order.order_no, 1_000n, 'T-1', shop.currency)
  const mailed = await until(async () => (await eventCount(shop, 'mailed')) === 1)
  return { shop, token, order, mailed }
}

test.group('buyer orders / delivery mail', (group) => {
  group.each.setup(() => resetState())
  group.each.teardown(() => mail.restore())

  test('in the shop language (zh-CN) with the order number and a prefilled lookup link', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    const { shop, token, order, mailed } = await deliveredIn(client, 'zh-CN', 'open sesame')
    assert.isTrue(mailed)
    const [sent] = mails.sent()
    const m = await rendered(sent)
    assert.equal(m.subject, `${shop.name}：您的订单 ${order.order_no}`)
    assert.include(m.text, `您的订单 ${order.order_no} 已发货。`)
    const appUrl = new URL(env.get('APP_URL'))
    const link = `${appUrl.protocol}//${shop.slug}.localhost:${appUrl.port}/orders/lookup?orderNo=${order.order_no}`
    assert.include(m.text, link)
    assert.include(m.html, `href="${link}"`)
    assert.include(m.html, 'lang="zh-CN"')
    assert.include(m.text, '本邮件不包含卡密')
    for (const body of [m.subject, m.text, m.html]) {
      assert.notMatch(body, SECRET)
      assert.notInclude(body, token)
    }
  })

  test('in English for an English shop; an order without query password gets no lookup link', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    const { token, order } = await deliveredIn(client, 'en')
    const m = await rendered(mails.sent()[0])
    assert.include(m.subject, `your order ${order.order_no}`)
    assert.include(m.text, `Your order ${order.order_no} is delivered.`)
    assert.include(m.text, 'open the order link you got at checkout')
    assert.notInclude(m.text, '/orders/lookup')
    assert.notInclude(m.text, token)
    assert.notMatch(m.text, SECRET)
  })

  test('sent once: a re-run after `mailed` sends nothing', async ({ client, assert }) => {
    const { mails } = mail.fake()
    const { shop, order } = await deliveredIn(client, 'en', 'open sesame')
    await new DeliveryMailJob().handle(
      { tenantId: shop.id, orderId: Number(order.id) },
      {
        tenant: shop.toRef(),
        job: { id: 't', name: DeliveryMailJob.jobName, queue: 'default', attempt: 2, attempts: 5 },
        logger,
      }
    )
    assert.lengthOf(mails.sent(), 1)
    assert.lengthOf(await rowsOf('order_events', shop).where('kind', 'mailed'), 1)
  })
})

test('buyer_orders.json has the same keys in en and zh-CN', ({ assert }) => {
  const flat = (value: any, prefix = ''): string[] =>
    typeof value === 'object' && value !== null
      ? Object.entries(value).flatMap(([k, v]) => flat(v, prefix ? `${prefix}.${k}` : k))
      : [prefix]
  const keys = (locale: string) =>
    flat(
      JSON.parse(readFileSync(app.languageFilesPath(locale, 'buyer_orders.json'), 'utf8'))
    ).sort()
  assert.deepEqual(keys('zh-CN'), keys('en'))
  assert.isAbove(keys('en').length, 20)
})
