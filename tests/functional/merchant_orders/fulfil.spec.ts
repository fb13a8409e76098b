import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import {
  createOrder,
  fulfilManualOrder,
  markPaidOffline,
  OrderDeskError,
  parseFulfilment,
} from '#delivery'
import { orderByToken } from '#actions/storefront/orders/orders'
import { auditOf, hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { productOf, rowsOf } from '#tests/functional/delivery/_fixtures'
import {
  eventsOf,
  itemsOf,
  lastAudit,
  staffOf,
  until,
} from '#tests/functional/merchant_orders/_helpers'
import type Tenant from '#models/tenant'

/** A paid order of a manual product: status paid, one undelivered delivery. */
async function paidManualOrder(shop: Tenant, ownerId: number, quantity = 2, email = 'b@x.test') {
  const product = await productOf(shop, { name: 'Account setup', type: 'manual' })
  const created = await createOrder({
    tenant: shop.toRef(),
    productId: product.id,
    quantity,
    contactEmail: email,
  })
  const paid = await markPaidOffline({
    tenant: shop.toRef(),
    actor: { type: 'user', id: ownerId },
    orderId: created.order.id,
    reason: 'cash at the counter',
  })
  return { product, order: paid.order, token: created.publicToken, alertIds: paid.alertIds }
}

test.group('merchant orders / manual fulfilment', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('staff deliver a manual order: stored encrypted, order delivered, buyer sees it, mailed', async ({
    client,
    assert,
  }) => {
    const { messages } = mail.fake()
    const { shop, owner } = await shopWithOwner('ful-shop')
    const staff = await staffOf(shop)
    const { order: o, token, alertIds } = await paidManualOrder(shop, owner.id, 2)
    assert.equal(o.status, 'paid')
    assert.lengthOf(alertIds, 1, 'manual_order alert raised and returned')
    const [delivery] = await rowsOf('deliveries', shop)
    assert.isNull(delivery.delivered_at)

    const page = await client
      .get(`/merchant/orders/${o.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
    assert.include(page.text(), 'Deliver manually')

    const response = await client
      .post(`/merchant/orders/${o.id}/fulfil`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({
        mode: 'items',
        content: 'user: alice / pass: s3cret-1\r\n\r\nuser: bob / pass: s3cret-2\n',
      })
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertFlashMessage('notice', 'The order is delivered and the buyer is emailed.')

    const [after] = await rowsOf('orders', shop)
    assert.equal(after.status, 'delivered')
    assert.isNotNull(after.delivered_at)
    const [d] = await rowsOf('deliveries', shop)
    assert.isNotNull(d.delivered_at)
    assert.equal(d.item_count, 2)
    const items = await itemsOf(shop)
    assert.lengthOf(items, 2)
    for (const item of items) {
      assert.equal(item.status, 'sold')
      assert.equal(Number(item.sold_line_id), Number(d.line_id))
      assert.notInclude(Buffer.from(item.secret_ciphertext).toString('latin1'), 's3cret')
    }
    const events = await eventsOf(shop, o.id)
    const kinds = events.map((e) => e.kind)
    assert.includeMembers(kinds, ['fulfilled', 'delivered'])
    const audit = await lastAudit(shop)
    assert.equal(audit.action, 'order.fulfilled_manually')
    assert.equal(audit.actor_id, staff.id)
    assert.notInclude(JSON.stringify(await auditOf(shop)), 's3cret')
    const alerts = await rowsOf('merchant_alerts', shop)
    assert.isNotNull(alerts[0].read_at, 'the manual_order alert is done')

    // the buyer's order page reveals them through the usual audited path
    const view = await orderByToken(shop.toRef(), token, { ip: '203.0.113.1', buyerId: null })
    assert.deepEqual(view!.secrets, ['user: alice / pass: s3cret-1', 'user: bob / pass: s3cret-2'])
    const revealed = await lastAudit(shop)
    assert.equal(revealed.action, 'order.secrets_revealed')
    const buyerPage = await client.get(`/orders/${token}`).header('host', hostOf(shop))
    buyerPage.assertStatus(200)
    assert.include(buyerPage.text(), 'user: bob / pass: s3cret-2')
    assert.include(buyerPage.text(), 'Delivered by the shop')
    assert.notInclude(buyerPage.text(), 'shop_orders.events')

    assert.isTrue(
      await until(async () =>
        messages.sent().some((m) => String(m.toJSON().message.text).includes('is delivered'))
      )
    )
    for (const m of messages.sent()) assert.notInclude(String(m.toJSON().message.text), 's3cret')
  })

  test('the same content may go to two buyers (hash salted with the line); free text is one item', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ful-shop')
    const first = await paidManualOrder(shop, owner.id, 1, 'one@x.test')
    const second = await paidManualOrder(shop, owner.id, 1, 'two@x.test')
    const text = 'Download: https://example.test/file\nCode: 1234'
    for (const o of [first.order, second.order]) {
      const result = await fulfilManualOrder({
        tenant: shop.toRef(),
        actor: { type: 'user', id: owner.id },
        orderId: o.id,
        mode: 'text',
        content: text,
      })
      assert.equal(result.items, 1)
    }
    const items = await itemsOf(shop)
    assert.lengthOf(items, 2)
    assert.notEqual(items[0].secret_hash, items[1].secret_hash)
    const view = await orderByToken(shop.toRef(), second.token, { ip: '::1', buyerId: null })
    assert.deepEqual(view!.secrets, [text])
  })

  test('bad content, too many items, a second delivery, an unpaid order: refused, nothing written', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ful-shop')
    const { order: o } = await paidManualOrder(shop, owner.id, 2)
    const post = (form: Record<string, unknown>, lang = 'en') =>
      client
        .post(`/merchant/orders/${o.id}/fulfil`)
        .header('host', hostOf(shop))
        .header('accept-language', lang)
        .loginAs(owner)
        .form(form as any)
        .withCsrfToken()
        .redirects(0)
    const cases: [Record<string, unknown>, string][] = [
      [{ mode: 'items', content: '' }, 'Enter the content to deliver.'],
      [{ mode: 'items', content: 'a\nb\nc' }, 'More items than ordered: at most 2.'],
      [{ mode: 'items', content: 'same\nsame' }, 'The same item appears twice.'],
      [
        { mode: 'items', content: 'x'.repeat(1025) },
        'Each item may have at most 1,024 characters.',
      ],
      [{ mode: 'text', content: 'y'.repeat(10_001) }, 'The content is too long'],
      [{ mode: 'text', content: 'bad\u0000byte' }, 'control characters'],
      [{ mode: 'zip', content: 'a' }, 'Choose a format.'],
      [{ mode: ['items', 'text'], content: 'a' }, 'Choose a format.'],
      [{ mode: 'items', content: ['a', 'b'] }, 'Enter the content to deliver.'],
      [{}, 'Choose a format.'],
    ]
    for (const [form, message] of cases) {
      const response = await post(form)
      response.assertStatus(422)
      assert.include(response.text(), message)
    }
    const zh = await post({ mode: 'items', content: 'a\nb\nc' }, 'zh-CN')
    zh.assertStatus(422)
    assert.include(zh.text(), '件数超过订购数量：最多 2 件。')
    assert.lengthOf(await itemsOf(shop), 0)
    const [still] = await rowsOf('orders', shop)
    assert.equal(still.status, 'paid')

    const ok = await post({ mode: 'items', content: 'k1\nk2' })
    ok.assertStatus(302)
    const again = await post({ mode: 'items', content: 'k3' })
    again.assertStatus(409)
    assert.include(again.text(), 'nothing waiting for manual delivery')
    assert.lengthOf(await itemsOf(shop), 2)

    // an unpaid manual order has nothing to fulfil
    const product = await productOf(shop, { name: 'Other', type: 'manual' })
    const unpaid = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: 'c@x.test',
    })
    try {
      await fulfilManualOrder({
        tenant: shop.toRef(),
        actor: { type: 'user', id: owner.id },
        orderId: unpaid.order.id,
        mode: 'text',
        content: 'hello',
      })
      assert.fail('an unpaid order was fulfilled')
    } catch (error) {
      assert.instanceOf(error, OrderDeskError)
      assert.equal((error as OrderDeskError).code, 'E_NOTHING_TO_FULFIL')
    }
  })

  test('parseFulfilment: lines trimmed, CRLF, blanks dropped', ({ assert }) => {
    assert.deepEqual(parseFulfilment('items', ' a \r\n\r\n b\r\n', 2), ['a', 'b'])
    assert.deepEqual(parseFulfilment('text', '  line 1\n\tline 2  ', 1), ['line 1\n\tline 2'])
    assert.throws(() => parseFulfilment('items', 'a\nb', 1))
  })
})
