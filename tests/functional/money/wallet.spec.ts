import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { withTenant } from '#tenancy'
import { createOrder } from '#delivery'
import { paymentHandlers } from '#payments/handlers'
import { PaymentStartError, startPayment } from '#payments/start_payment'
import { createTopUp } from '#payments/wallet'
import { forgetPlans } from '#payments/fees'
import { syncFirstPartyPlugins } from '#plugin_host'
import type Tenant from '#models/tenant'
import type Buyer from '#models/buyer'
import { resetState, shopWithOwner, hostOf, freshIp } from '#tests/functional/merchant/_fixtures'
import { createBuyer } from '#tests/functional/storefront/fixtures'
import { addItems, productOf } from '#tests/functional/delivery/_fixtures'
import {
  balance,
  books,
  enableWallet,
  ledgerLines,
  ledgerOk,
  mapRows,
  rowsOf,
} from '#tests/functional/money/_helpers'
import balancePlugin from '#plugins/payment-balance/plugin'
import {
  callbackOutcomes,
  postCallback,
  shopWithGateway,
  withTestGateway,
} from '#tests/functional/payments/_fixtures'

function wallet(shop: Tenant, buyer: Buyer) {
  return balance(shop, { type: 'buyer_wallet', subject: String(buyer.id) })
}

/** Credit the wallet through the top-up handler, as the pipeline does after a verified callback. */
async function topUp(shop: Tenant, buyer: Buyer, amountMinor: bigint, txn: string) {
  const record = await withTenant(
    (trx) =>
      createTopUp(trx, { tenantId: shop.id, buyerId: buyer.id, amountMinor, currency: 'CNY' }),
    shop.toRef()
  )
  const credit = () =>
    withTenant(
      (trx) =>
        paymentHandlers.topUp!(trx, {
          tenantId: shop.id,
          attemptId: 1,
          topupId: record.id,
          pluginId: 'test-gateway',
          gateway: 'testpay',
          providerTxnId: txn,
          amountMinor,
          currency: 'CNY',
          paidAt: new Date(),
          settlement: 'platform',
        }),
      shop.toRef()
    )
  return { record, credit }
}

async function buyerOrders(shop: Tenant, buyer: Buyer, count: number, price: bigint) {
  const product = await productOf(shop, { priceMinor: price, maxQuantity: null } as any)
  await addItems(shop, product, count)
  const orders = []
  for (let i = 0; i < count; i++) {
    const { order } = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 1,
      contactEmail: buyer.email,
      buyerId: buyer.id,
    })
    orders.push(order)
  }
  return orders
}

test.group('money / buyer wallet', (group) => {
  group.each.setup(async () => {
    await resetState()
    forgetPlans()
    await syncFirstPartyPlugins([balancePlugin])
    mail.fake()
    return () => mail.restore()
  })

  test('a top-up credits the wallet once, however often it is reported', async ({ assert }) => {
    const { shop } = await shopWithOwner('wl-topup')
    const buyer = await createBuyer(shop.toRef(), 'ann@example.test')
    const { credit, record } = await topUp(shop, buyer, 5_000n, 'TXN-1')
    const results = await Promise.all([credit(), credit(), credit()])
    assert.sameMembers(
      results.map((r) => r.outcome),
      ['credited', 'duplicate', 'duplicate']
    )
    assert.equal(await wallet(shop, buyer), 5_000n)
    const [row] = await rowsOf('wallet_topups', shop)
    assert.equal(row.status, 'paid')
    const lines = await ledgerLines(shop)
    assert.deepEqual(
      lines.map((l) => `${l.type}${l.subject ? ':' + l.subject : ''} ${l.amount}`),
      [
        'external_world -5000',
        'gateway_clearing:testpay 5000',
        'gateway_clearing:testpay -5000',
        `buyer_wallet:${buyer.id} 5000`,
      ]
    )
    assert.equal(lines[0].idempotency_key, `topup:${record.topupNo}:paid`)
    assert.isTrue(await ledgerOk(shop))
  })

  test('20 concurrent wallet payments with funds for 3: exactly 3 paid, no overdraft', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('wl-race')
    await enableWallet(shop, owner)
    const buyer = await createBuyer(shop.toRef(), 'ann@example.test')
    await topUp(shop, buyer, 3_000n, 'TXN-race').then((t) => t.credit())
    const orders = await buyerOrders(shop, buyer, 20, 1_000n)
    const results = await Promise.all(
      orders.map((order, i) =>
        paymentHandlers.walletPay!({
          tenantId: shop.id,
          orderId: order.id,
          attemptId: 1_000 + i,
          buyerId: buyer.id,
          gateway: 'balance',
        })
      )
    )
    const outcomes = results.map((r) => r.outcome)
    assert.equal(outcomes.filter((o) => o === 'paid').length, 3, outcomes.join(','))
    assert.equal(outcomes.filter((o) => o === 'insufficient_funds').length, 17)
    assert.equal(await wallet(shop, buyer), 0n)
    const orderRows = await rowsOf('orders', shop)
    const paid = orderRows.filter((o) => o.status === 'delivered')
    assert.lengthOf(paid, 3)
    assert.lengthOf(await rowsOf('payments', shop), 3)
    const b = await books(shop)
    assert.equal(b.pending, 3n * 980n, 'net of the 2 % fee')
    assert.equal(b.fee, 60n)
    const [payment] = await rowsOf('payments', shop)
    assert.equal(payment.gateway, 'balance')
    assert.match(payment.provider_txn_id, /^wallet-\d+$/)
    assert.isTrue(await ledgerOk(shop))
  })

  test('startPayment with the balance plugin pays from the wallet; short of funds: refused, nothing changes', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('wl-start')
    await enableWallet(shop, owner)
    const buyer = await createBuyer(shop.toRef(), 'ann@example.test')
    await topUp(shop, buyer, 1_500n, 'TXN-s').then((t) => t.credit())
    const [first, second] = await buyerOrders(shop, buyer, 2, 1_000n)
    const start = (orderId: number) =>
      startPayment(shop.toRef(), {
        purpose: 'order',
        targetId: orderId,
        pluginId: 'payment-balance',
        returnUrl: `http://${hostOf(shop)}/orders/x`,
      })
    const started = await start(first.id)
    assert.equal(started.action.kind, 'wallet')
    assert.equal(await wallet(shop, buyer), 500n)
    const error = await start(second.id).catch((e) => e)
    assert.instanceOf(error, PaymentStartError)
    assert.equal(error.code, 'insufficient_funds')
    assert.equal(await wallet(shop, buyer), 500n)
    const statuses = await mapRows('orders', shop, (o) => o.status)
    assert.deepEqual(statuses, ['delivered', 'pending'])
    const attempts = await mapRows('payment_attempts', shop, (a) => a.status)
    assert.deepEqual(attempts, ['succeeded', 'failed'])
    // the wallet plugin never accepts a callback
    const reply = await postCallback(shop, '{"type":"paid"}', { pluginId: 'payment-balance' })
    assert.equal(reply.status, 400)
    assert.equal(await wallet(shop, buyer), 500n)
  })
})

test.group('money / wallet pages and top-up end to end', (group) => {
  const fx = withTestGateway(group, async () => {
    forgetPlans()
    await syncFirstPartyPlugins([balancePlugin])
  })

  test('buyer tops up through another gateway; the verified callback credits once; history shows it', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithGateway('wl-page', fx.endpoint)
    await enableWallet(shop, owner)
    const buyer = await createBuyer(shop.toRef(), 'ann@example.test')
    const post = (form: Record<string, string>, locale = 'en') =>
      client
        .post('/account/wallet/topup')
        .header('host', hostOf(shop))
        .header('x-forwarded-for', freshIp())
        .header('accept-language', locale)
        .form(form)
        .withCsrfToken()
        .withGuard('buyer')
        .loginAs(buyer)
        .redirects(0)

    // below the minimum, not a number, unknown gateway: form errors, nothing written
    const low = await post({ amount: '0.50', gateway: 'test-gateway' })
    assert.equal(low.status(), 422)
    assert.include(low.text(), 'Top-ups go from 1.00 to 500.00 CNY')
    const zh = await post({ amount: 'abc', gateway: 'test-gateway' }, 'zh-CN')
    assert.equal(zh.status(), 422)
    assert.include(zh.text(), '请输入大于零的金额')
    const unknown = await post({ amount: '20', gateway: 'payment-balance' })
    assert.equal(unknown.status(), 422)
    assert.lengthOf(await rowsOf('wallet_topups', shop), 0)

    const ok = await post({ amount: '20.00', gateway: 'test-gateway' })
    assert.equal(ok.status(), 302)
    assert.match(ok.header('location') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/pay\//)
    const [topup] = await rowsOf('wallet_topups', shop)
    assert.equal(String(topup.amount_minor), '2000')
    const [attempt] = await rowsOf('payment_attempts', shop)
    assert.equal(attempt.purpose, 'wallet_topup')

    const paid = fx.gateway.markPaid(attempt.provider_ref)
    const body = fx.gateway.callbackBody(paid)
    assert.deepEqual(await postCallback(shop, body), { status: 200, body: 'OK' })
    assert.deepEqual(await postCallback(shop, body), { status: 200, body: 'OK' })
    assert.equal(await wallet(shop, buyer), 2_000n)
    assert.deepEqual(await callbackOutcomes(shop), ['accepted', 'duplicate'])

    const page = await client
      .get('/account/wallet')
      .header('host', hostOf(shop))
      .header('accept-language', 'zh-CN')
      .withGuard('buyer')
      .loginAs(buyer)
    assert.equal(page.status(), 200)
    assert.include(page.text(), '20.00 CNY')
    assert.include(page.text(), '充值')
    assert.isTrue(await ledgerOk(shop))
  })

  test('another buyer sees only their own wallet; guests are sent to log in', async ({
    client,
    assert,
  }) => {
    const { shop, owner } = await shopWithGateway('wl-own', fx.endpoint)
    await enableWallet(shop, owner)
    const ann = await createBuyer(shop.toRef(), 'ann@example.test')
    const bob = await createBuyer(shop.toRef(), 'bob@example.test')
    await topUp(shop, ann, 7_700n, 'TXN-ann').then((t) => t.credit())
    const page = await client
      .get('/account/wallet')
      .header('host', hostOf(shop))
      .withGuard('buyer')
      .loginAs(bob)
    assert.equal(page.status(), 200)
    assert.notInclude(page.text(), '77.00')
    const guest = await client.get('/account/wallet').header('host', hostOf(shop)).redirects(0)
    assert.oneOf(guest.status(), [302, 401])
  })
})
