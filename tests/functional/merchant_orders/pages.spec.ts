import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import { auditOf, hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import {
  addItems,
  itemCounts,
  order,
  productOf,
  rowsOf,
} from '#tests/functional/delivery/_fixtures'
import {
  auditsWith,
  deliveredOrder,
  eventsOfKind,
  lastAudit,
  staffOf,
  until,
} from '#tests/functional/merchant_orders/_helpers'
import { RESEND_LIMIT, createOrder } from '#delivery'
import { decryptSecret } from '#delivery/secrets/index'
import { withTenant } from '#tenancy'

async function secretsOf(shop: any, orderId: number) {
  return withTenant(async (trx) => {
    const rows = await trx
      .from('card_items')
      .where({ tenant_id: shop.id, reserved_order_id: orderId, status: 'sold' })
      .orderBy('id')
    const out: string[] = []
    for (const r of rows) out.push(await decryptSecret(trx, shop.id, r.secret_ciphertext))
    return out
  }, shop.toRef())
}

test.group('merchant orders / pages', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('the list searches by order number and email, filters by status, product and date, pages by 50', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ord-shop')
    const product = await productOf(shop)
    const other = await productOf(shop, { name: 'Other thing', type: 'text', textContent: 'hi' })
    await addItems(shop, product, 60)
    const orders = []
    for (let i = 0; i < 55; i++) {
      const created = await order(shop, product)
      orders.push(created.order)
    }
    const { order: textOrder } = await createOrder({
      tenant: shop.toRef(),
      productId: other.id,
      quantity: 1,
      contactEmail: 'Special.Buyer@Example.test',
    })
    // one old order, for the date filter
    await db
      .connection('platform')
      .from('orders')
      .where({ tenant_id: shop.id, id: orders[0].id })
      .update({ created_at: '2024-01-15T12:00:00Z' })

    const get = (qs: string) =>
      client.get(`/merchant/orders${qs}`).header('host', hostOf(shop)).loginAs(owner)

    const first = await get('')
    first.assertStatus(200)
    const page1 = first.text().match(/data-order="[A-Z0-9]+"/g) ?? []
    assert.lengthOf(page1, 50)
    assert.include(page1[0], textOrder.orderNo, 'newest first')
    assert.include(first.text(), 'rel="next"')
    const second = await get('?page=2')
    const page2 = second.text().match(/data-order="[A-Z0-9]+"/g) ?? []
    assert.lengthOf(page2, 6)
    assert.notInclude(second.text(), 'rel="next"')
    assert.include(page2.at(-1)!, orders[0].orderNo, 'the backdated order is last')
    assert.lengthOf(new Set([...page1, ...page2]), 56, 'stable order: no order twice')

    const byNo = await get(`?q=${orders[7].orderNo.toLowerCase()}`)
    assert.deepEqual(byNo.text().match(/data-order="[A-Z0-9]+"/g), [
      `data-order="${orders[7].orderNo}"`,
    ])
    const byEmail = await get('?q=special.buyer')
    assert.deepEqual(byEmail.text().match(/data-order="[A-Z0-9]+"/g), [
      `data-order="${textOrder.orderNo}"`,
    ])
    const byProduct = await get(`?product=${other.id}`)
    assert.lengthOf(byProduct.text().match(/data-order="/g) ?? [], 1)
    const byStatus = await get('?status=delivered')
    assert.lengthOf(byStatus.text().match(/data-order="/g) ?? [], 0)
    assert.include(byStatus.text(), 'No orders match.')
    const byDate = await get('?from=2024-01-01&to=2024-01-31')
    assert.deepEqual(byDate.text().match(/data-order="[A-Z0-9]+"/g), [
      `data-order="${orders[0].orderNo}"`,
    ])
    const wildcard = await get('?q=%25')
    assert.lengthOf(wildcard.text().match(/data-order="/g) ?? [], 0, 'LIKE wildcards are literal')

    // malformed filters are ignored and named, never an error
    const bad = await get(
      `?status=nope&product=abc&from=2024-13-01&to=x&page=99999999&q=${'a'.repeat(300)}`
    )
    bad.assertStatus(200)
    assert.include(bad.text(), 'Ignored filters that were not valid')
    const arrays = await get('?status=paid&status=pending&q[]=1')
    arrays.assertStatus(200)

    const zh = await client
      .get('/merchant/orders')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
    assert.include(zh.text(), '待付款')
  })

  test('the detail shows amounts, lines, payments, deliveries and a localised timeline', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ord-shop')
    const { order: o } = await deliveredOrder(shop, 2, 3)
    const response = await client
      .get(`/merchant/orders/${o.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    response.assertStatus(200)
    const html = response.text()
    assert.include(html, o.orderNo)
    assert.include(html, '20.00 CNY')
    assert.include(html, `T-${o.orderNo}`)
    for (const kind of ['created', 'reserved', 'paid', 'delivered', 'mailed']) {
      assert.include(html, `data-event="${kind}"`)
    }
    assert.include(html, 'Payment received')
    assert.include(html, 'Email sent to the buyer')
    // never a secret without the explicit POST
    for (const secret of await secretsOf(shop, o.id)) assert.notInclude(html, secret)

    const zh = await client
      .get(`/merchant/orders/${o.id}`)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
    assert.include(zh.text(), '已收到付款')
    assert.include(zh.text(), '已向买家发送邮件')
  })

  test('show keys: a POST, audited without the secret, never cached; staff may too', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ord-shop')
    const staff = await staffOf(shop)
    const { order: o } = await deliveredOrder(shop, 2, 3)
    const secrets = await secretsOf(shop, o.id)
    assert.lengthOf(secrets, 2)

    const get = await client
      .get(`/merchant/orders/${o.id}/secrets`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    get.assertStatus(404)

    for (const user of [owner, staff]) {
      const response = await client
        .post(`/merchant/orders/${o.id}/secrets`)
        .header('host', hostOf(shop))
        .loginAs(user)
        .withCsrfToken()
      response.assertStatus(200)
      assert.equal(response.header('cache-control'), 'no-store')
      for (const secret of secrets) assert.include(response.text(), secret)
    }
    const audits = await auditsWith(shop, 'order.secrets_viewed_by_merchant')
    assert.lengthOf(audits, 2)
    assert.deepEqual(
      audits.map((a) => a.actor_id),
      [owner.id, staff.id]
    )
    const serialized = JSON.stringify(await auditOf(shop))
    for (const secret of secrets) assert.notInclude(serialized, secret)
    assert.equal(audits[0].metadata.items, 2)
  })

  test('mark paid offline: owners only, reason required, outcome shown, timeline delivered', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ord-shop')
    const staff = await staffOf(shop)
    const product = await productOf(shop)
    await addItems(shop, product, 2)
    const { order: o } = await order(shop, product)
    const path = `/merchant/orders/${o.id}/mark-paid`

    const byStaff = await client
      .post(path)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ reason: 'bank transfer 123' })
      .withCsrfToken()
    byStaff.assertStatus(403)
    const staffPage = await client
      .get(`/merchant/orders/${o.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
    assert.include(staffPage.text(), 'Only the shop owner can mark an order as paid.')

    for (const form of [
      {},
      { reason: '' },
      { reason: 'a' },
      { reason: 'x'.repeat(5000) },
      {
        reason: ['a', 'b'],
      },
    ]) {
      const response = await client
        .post(path)
        .header('host', hostOf(shop))
        .loginAs(owner)
        .form(form as any)
        .withCsrfToken()
      response.assertStatus(422)
      assert.include(response.text(), 'Enter a reason of 2-500 characters.')
    }
    const zh = await client
      .post(path)
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .loginAs(owner)
      .form({ reason: '' })
      .withCsrfToken()
    zh.assertStatus(422)
    assert.include(zh.text(), '请填写 2-500 个字符的原因。')
    assert.lengthOf(await rowsOf('payments', shop), 0)
    assert.lengthOf(await auditOf(shop), 0)

    const ok = await client
      .post(path)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .form({ reason: '现金' })
      .withCsrfToken()
      .redirects(0)
    ok.assertStatus(302)
    ok.assertHeader('location', `/merchant/orders/${o.id}`)
    ok.assertFlashMessage('notice', 'The order is marked as paid.')
    const page = await client
      .get(`/merchant/orders/${o.id}`)
      .header('host', hostOf(shop))
      .loginAs(owner)
    assert.include(page.text(), 'data-event="delivered"')
    assert.include(page.text(), 'data-status="delivered"')
    const audit = await lastAudit(shop)
    assert.equal(audit.action, 'order.marked_paid_offline')
    assert.equal(audit.metadata.reason, '现金')
  })

  test('resend the delivery mail: works after `mailed`, audited, 5 per hour per order', async ({
    client,
    assert,
  }) => {
    const { mails } = mail.fake()
    const { shop } = await shopWithOwner('ord-shop')
    const staff = await staffOf(shop)
    const { order: o } = await deliveredOrder(shop, 1, 2)
    await limiter
      .use({ ...RESEND_LIMIT })
      .delete(`merchant_orders:resend:${shop.slug}:${o.orderNo}`)
    const path = `/merchant/orders/${o.id}/resend-mail`
    for (let i = 0; i < RESEND_LIMIT.requests; i++) {
      const response = await client
        .post(path)
        .header('host', hostOf(shop))
        .loginAs(staff)
        .withCsrfToken()
        .redirects(0)
      response.assertStatus(302)
      response.assertFlashMessage('notice', 'The delivery email will be sent again.')
    }
    const limited = await client
      .post(path)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .withCsrfToken()
    limited.assertStatus(429)
    assert.include(limited.text(), 'resent too often')
    assert.isTrue(
      await until(async () => {
        const resent = await eventsOfKind(shop, o.id, 'mail_resent')
        return resent.length === 5
      })
    )
    const sent = mails.sent()
    assert.lengthOf(sent, 6, 'the first delivery mail and 5 resends')
    for (const m of sent) {
      await m.message.computeContents()
      const text = String(m.message.toJSON().message.text ?? '')
      assert.include(text, o.orderNo)
      for (const secret of await secretsOf(shop, o.id)) assert.notInclude(text, secret)
    }
    const audits = await auditsWith(shop, 'order.mail_resend_requested')
    assert.lengthOf(audits, 5)
  })

  test('resend of an unpaid order is refused (409), nothing recorded', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('ord-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const { order: o } = await order(shop, product)
    const response = await client
      .post(`/merchant/orders/${o.id}/resend-mail`)
      .header('host', hostOf(shop))
      .loginAs(owner)
      .withCsrfToken()
    response.assertStatus(409)
    assert.include(response.text(), 'This order is not paid')
    assert.lengthOf(await auditOf(shop), 0)
  })

  test('replace through the page: reason required; success shown; staff may', async ({
    client,
    assert,
  }) => {
    const { shop } = await shopWithOwner('ord-shop')
    const staff = await staffOf(shop)
    const { order: o, soldItemIds } = await deliveredOrder(shop, 1, 2)
    const path = `/merchant/orders/${o.id}/items/${soldItemIds[0]}/replace`
    const missing = await client
      .post(path)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ reason: ' ' })
      .withCsrfToken()
    missing.assertStatus(422)
    assert.include(missing.text(), 'Enter a reason of 2-500 characters.')
    assert.deepEqual(await itemCounts(shop), { available: 1, reserved: 0, sold: 1, void: 0 })

    const ok = await client
      .post(path)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ reason: 'already used' })
      .withCsrfToken()
      .redirects(0)
    ok.assertStatus(302)
    ok.assertFlashMessage('notice', 'The key was replaced; the buyer is emailed.')
    const page = await client
      .get(`/merchant/orders/${o.id}`)
      .header('host', hostOf(shop))
      .loginAs(staff)
    assert.include(page.text(), 'data-event="item_replaced"')
    const again = await client
      .post(path)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ reason: 'already used' })
      .withCsrfToken()
    again.assertStatus(409)
    const none = await client
      .post(`/merchant/orders/${o.id}/items/99999/replace`)
      .header('host', hostOf(shop))
      .loginAs(staff)
      .form({ reason: 'already used' })
      .withCsrfToken()
    none.assertStatus(409)
    assert.deepEqual(await itemCounts(shop), {
      available: 0,
      reserved: 0,
      sold: 1,
      void: 0,
      burned: 1,
    })
  })

  test("shop A's members cannot see or act on shop B's orders: 404 everywhere, nothing written", async ({
    client,
    assert,
  }) => {
    const a = await shopWithOwner('ord-shop')
    const staffA = await staffOf(a.shop)
    const b = await shopWithOwner('ord-other')
    // shop B's order has an id that does not exist in shop A
    const mine = await deliveredOrder(a.shop, 1, 2)
    const theirs = await deliveredOrder(b.shop, 1, 2)
    const pendingProduct = await productOf(b.shop)
    await addItems(b.shop, pendingProduct, 1)
    const pendingB = await order(b.shop, pendingProduct)
    assert.notEqual(theirs.order.id, mine.order.id)
    const beforeB = await auditOf(b.shop)
    const beforeA = await auditOf(a.shop)

    for (const user of [a.owner, staffA]) {
      const show = await client
        .get(`/merchant/orders/${theirs.order.id}`)
        .header('host', hostOf(a.shop))
        .loginAs(user)
      show.assertStatus(404)
      for (const [path, form] of [
        [`/merchant/orders/${theirs.order.id}/secrets`, {}],
        [`/merchant/orders/${pendingB.order.id}/mark-paid`, { reason: 'stolen money' }],
        [`/merchant/orders/${theirs.order.id}/resend-mail`, {}],
        [`/merchant/orders/${theirs.order.id}/fulfil`, { mode: 'text', content: 'x' }],
        [
          `/merchant/orders/${theirs.order.id}/items/${theirs.soldItemIds[0]}/replace`,
          { reason: 'not mine' },
        ],
      ] as const) {
        const response = await client
          .post(path)
          .header('host', hostOf(a.shop))
          .loginAs(user)
          .form(form)
          .withCsrfToken()
        if (user === staffA && path.endsWith('mark-paid')) response.assertStatus(403)
        else response.assertStatus(404)
        for (const secret of await secretsOf(b.shop, theirs.order.id)) {
          assert.notInclude(response.text(), secret)
        }
      }
    }
    assert.deepEqual(await auditOf(b.shop), beforeB)
    assert.deepEqual(await auditOf(a.shop), beforeA)
    const [pending] = await rowsOf('orders', b.shop).where('id', pendingB.order.id)
    assert.equal(pending.status, 'pending')
  })

  test('malformed ids are 404; anonymous users go to the login page', async ({ client }) => {
    const { shop, owner } = await shopWithOwner('ord-shop')
    for (const id of ['abc', '0', '-1', '1.5', '99999999999999999999', '%00']) {
      const response = await client
        .get(`/merchant/orders/${id}`)
        .header('host', hostOf(shop))
        .loginAs(owner)
      response.assertStatus(404)
      const post = await client
        .post(`/merchant/orders/${id}/items/${id}/replace`)
        .header('host', hostOf(shop))
        .loginAs(owner)
        .form({ reason: 'xxx' })
        .withCsrfToken()
      post.assertStatus(404)
    }
    const missing = await client
      .get('/merchant/orders/123456')
      .header('host', hostOf(shop))
      .loginAs(owner)
    missing.assertStatus(404)
    missing.assertTextIncludes('This order does not exist.')
    const anonymous = await client.get('/merchant/orders').header('host', hostOf(shop)).redirects(0)
    anonymous.assertStatus(302)
    anonymous.assertHeader('location', '/merchant/login')
  })
})
