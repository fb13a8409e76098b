import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { randomBytes } from 'node:crypto'
import type Tenant from '#models/tenant'
import {
  installPlugin,
  savePluginSettings,
  setPluginEnabled,
  syncFirstPartyPlugins,
} from '#plugin_host'
import db from '@adonisjs/lucid/services/db'
import { callbackUrl, startPayment } from '#payments'
import { reconcileShop } from '#payments/reconcile'
import epay from '#plugins/payment-epay/plugin'
import { fakeEpay, type FakeEpay } from '#tests/helpers/fake_epay'
import { freshIp, hostOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import {
  callbackOutcomes,
  moneyFootprint,
  pendingOrder,
  platformRows,
} from '#tests/functional/payments/_fixtures'

/**
 * payment-epay end to end through the payments engine: checkout → startPayment → the
 * buyer at the (fake) EPay → a signed GET notify to the shop's callback route over real
 * HTTP → handleCallback → confirmPayment → delivered, answered exactly `success`. Then the
 * issue's attacks, EPay-shaped.
 */

const PLUGIN = 'payment-epay'
const slug = () => `epay-${randomBytes(4).toString('hex')}`

async function epayShop(fake: FakeEpay, extra: Record<string, unknown> = {}, name = slug()) {
  const { shop, owner } = await shopWithOwner(name)
  const actor = { tenant: shop.toRef(), userId: owner.id }
  await installPlugin({
    ...actor,
    pluginId: PLUGIN,
    version: '1.0.0',
    consent: ['payments:process', 'network:outbound'],
  })
  const values = Object.fromEntries(
    Object.entries(fake.settings(extra)).filter(([, v]) => v !== null)
  )
  await savePluginSettings({ ...actor, pluginId: PLUGIN, values })
  await setPluginEnabled({ ...actor, pluginId: PLUGIN, enabled: true })
  return shop
}

/** A pending order of `shop` (10.00 CNY, one key) that the buyer started paying with EPay. */
async function checkout(shop: Tenant, fake: FakeEpay) {
  const { order } = await pendingOrder(shop)
  const started = await startPayment(shop.toRef(), {
    purpose: 'order',
    targetId: order.id,
    pluginId: PLUGIN,
    returnUrl: `http://${hostOf(shop)}/orders/${order.orderNo}`,
    clientIp: '203.0.113.7',
    device: 'mobile',
  })
  if (started.action.kind === 'form') {
    // The buyer's browser posts the signed form to the EPay cashier.
    const page = await fake.submitForm(started.action.action, started.action.fields)
    if (page.status !== 200) throw new Error(`EPay refused the form: ${page.body}`)
  }
  return { order, started }
}

async function statusOf(shop: Tenant, orderId: number) {
  const rows = await platformRows('orders', shop).where('id', orderId)
  return rows[0].status as string
}

const success = { status: 200, body: 'success' }
const fail = { status: 400, body: 'fail' }
const short = (r: { status: number; body: string }) => ({ status: r.status, body: r.body })

test.group('plugins / payment-epay end to end', (group) => {
  let fake: FakeEpay
  let fakes: FakeEpay[]
  const newFake = async (version: 'v1' | 'v2') => {
    const f = fakeEpay({
      version,
      connectTo: { host: '127.0.0.1', port: Number(process.env.PORT) },
      notifyHeaders: () => ({ 'x-forwarded-for': freshIp() }),
    })
    await f.start()
    fakes.push(f)
    return f
  }
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    await syncFirstPartyPlugins([epay])
    fakes = []
    fake = await newFake('v1')
    return async () => {
      mail.restore()
      for (const f of fakes) await f.stop()
    }
  })

  for (const [version, mode] of [
    ['v1', 'submit'],
    ['v1', 'mapi'],
    ['v2', 'submit'],
    ['v2', 'mapi'],
  ] as const) {
    test(`${version} ${mode}: pay at the EPay → signed GET notify → delivered, answered "success"`, async ({
      assert,
    }) => {
      const f = version === 'v1' ? fake : await newFake('v2')
      const shop = await epayShop(f, mode === 'mapi' ? { mode, payType: 'wxpay' } : {})
      const { order, started } = await checkout(shop, f)
      const at = f.orders.get(order.orderNo)!
      assert.exists(at, 'the EPay knows the order')
      assert.equal(at.money, '10.00')
      assert.equal(at.notifyUrl, callbackUrl(shop.toRef(), PLUGIN))
      assert.equal(new URL(at.notifyUrl).hostname, hostOf(shop))
      const [attempt] = await platformRows('payment_attempts', shop)
      assert.equal(attempt.status, 'pending')
      assert.equal(attempt.settlement, 'direct')
      if (mode === 'mapi') {
        assert.deepEqual(started.action, { kind: 'redirect', url: `${f.base}pay/${at.tradeNo}` })
        assert.equal(attempt.provider_ref, at.tradeNo)
        const sent = f.requests.find((r) => r.params.out_trade_no === order.orderNo)!
        assert.equal(sent.params.clientip, '203.0.113.7')
        assert.equal(sent.params.device, 'mobile')
      } else {
        assert.equal(started.action.kind, 'form')
        assert.isNull(attempt.provider_ref)
      }
      assert.equal(await statusOf(shop, order.id), 'pending')

      const reply = await f.pay(order.orderNo)
      assert.deepEqual(reply, { status: 200, body: 'success', contentType: 'text/plain' })
      assert.equal(await statusOf(shop, order.id), 'delivered')
      const [payment] = await platformRows('payments', shop)
      assert.equal(payment.gateway, 'epay')
      assert.equal(payment.provider_txn_id, at.tradeNo)
      assert.equal(String(payment.amount_minor), '1000')
      const [cb] = await platformRows('payment_callbacks', shop)
      assert.equal(cb.method, 'GET')
      assert.equal(cb.outcome, 'accepted')
      assert.equal(cb.query.out_trade_no, order.orderNo)
      assert.equal(cb.query.money, '10.00')
      assert.equal(
        await platformRows('payment_attempts', shop).then((rows) => rows[0].status),
        'succeeded'
      )
      // The EPay retries: taken again, nothing more happens.
      const [retry] = await f.notify(order.orderNo)
      assert.deepEqual(short(retry), success)
      assert.lengthOf(await platformRows('payments', shop), 1)
      assert.deepEqual(await callbackOutcomes(shop), ['accepted', 'duplicate'])
    })
  }

  test('forged signatures and amounts tampered after signing: "fail", nothing changed', async ({
    assert,
  }) => {
    const shop = await epayShop(fake)
    const { order } = await checkout(shop, fake)
    fake.orders.get(order.orderNo)!.status = 1
    const before = await moneyFootprint(shop)
    const attacks: Array<Parameters<FakeEpay['notify']>[1]> = [
      { sign: 'f'.repeat(32) }, // forged signature
      { dropSign: true }, // no signature
      { signType: 'RSA' }, // another algorithm
      { tamper: { money: '0.01' } }, // string
      { tamper: { money: ['10.00'] } }, // array: money[]=10.00
      { tamper: { money: '10.000' } }, // float-looking
      { tamper: { money: '1e1' } }, // exponent
      { tamper: { pid: '2002' } }, // another merchant
      { md5Key: 'another-merchant-key-000000000000', signed: { pid: '2002' } },
      { post: true, sign: '0'.repeat(32) }, // POST form, forged
    ]
    for (const attack of attacks) {
      const [reply] = await fake.notify(order.orderNo, attack)
      assert.deepEqual(short(reply), fail, JSON.stringify(attack))
    }
    assert.deepEqual(await moneyFootprint(shop), before)
    assert.deepEqual(
      await callbackOutcomes(shop),
      attacks.map(() => 'bad_signature')
    )
    // Stored raw, reason code on each row; the array arrived as an array.
    const rows = await platformRows('payment_callbacks', shop)
    assert.deepEqual(rows[4].query.money, ['10.00'])
    assert.equal(await statusOf(shop, order.id), 'pending')
    // The genuine notify still pays; the same notify as a POST form is a duplicate.
    assert.deepEqual(short(await fake.pay(order.orderNo)), success)
    assert.equal(await statusOf(shop, order.id), 'delivered')
    const [posted] = await fake.notify(order.orderNo, { post: true })
    assert.deepEqual(short(posted), success)
    const outcomes = await callbackOutcomes(shop)
    assert.deepEqual(outcomes.slice(-2), ['accepted', 'duplicate'])
    const last = await platformRows('payment_callbacks', shop).then((r) => r.at(-1))
    assert.equal(last.method, 'POST')
    assert.include(Buffer.from(last.raw_body).toString('utf8'), 'trade_status=TRADE_SUCCESS')
  })

  test('amounts a key holder signed: malformed forms invalid, a wrong amount a mismatch — never delivered', async ({
    assert,
  }) => {
    const shop = await epayShop(fake)
    const invalid = await checkout(shop, fake)
    fake.orders.get(invalid.order.orderNo)!.status = 1
    const before = await moneyFootprint(shop)
    const forms: Array<string | string[]> = [
      '1e1',
      '10.000',
      '10.0.0',
      ' 10.00',
      '+10.00',
      '-10.00',
      '0x0A',
      '10,00',
      ['10.00'],
      ['10.00', '0.01'],
    ]
    for (const money of forms) {
      const [reply] = await fake.notify(invalid.order.orderNo, { signed: { money } })
      assert.deepEqual(short(reply), fail, JSON.stringify(money))
    }
    assert.deepEqual(await moneyFootprint(shop), before)
    const outcomes = await callbackOutcomes(shop)
    // An array is not signed (EPay rule), so a key holder's array is refused by the core.
    assert.deepEqual(
      outcomes,
      forms.map(() => 'amount_invalid')
    )

    // A well-formed but wrong amount, signed: recorded as a mismatch, not delivered.
    const cheap = await checkout(shop, fake)
    fake.orders.get(cheap.order.orderNo)!.status = 1
    const [reply] = await fake.notify(cheap.order.orderNo, { signed: { money: '0.01' } })
    assert.deepEqual(short(reply), fail)
    assert.equal(await statusOf(shop, cheap.order.id), 'payment_mismatch')
    assert.lengthOf(await platformRows('deliveries', shop), 0)
    assert.lengthOf(await platformRows('card_items', shop).where('status', 'sold'), 0)
    const alerts = await platformRows('payment_alerts', shop)
    assert.deepEqual(
      alerts.map((a: any) => [a.kind, a.data.reportedMinor, a.data.expectedMinor]),
      [['amount_mismatch', '1', '1000']]
    )
    // "12.3"-style (one decimal) is well formed: 10.0 = 10.00 pays the first order.
    const [ok] = await fake.notify(invalid.order.orderNo, { signed: { money: '10.0' } })
    assert.deepEqual(short(ok), success)
    assert.equal(await statusOf(shop, invalid.order.id), 'delivered')
  })

  test('a valid signature replayed onto another order or another shop is refused', async ({
    assert,
  }) => {
    const shop = await epayShop(fake)
    const other = await epayShop(fake) // the same EPay merchant and key
    const a = await checkout(shop, fake)
    const b = await checkout(shop, fake)
    fake.orders.get(a.order.orderNo)!.status = 1
    const before = await moneyFootprint(shop)
    const beforeOther = await moneyFootprint(other)

    // A's signed notify with B's order number: the signature no longer matches.
    const [onB] = await fake.notify(a.order.orderNo, { tamper: { out_trade_no: b.order.orderNo } })
    assert.deepEqual(short(onB), fail)
    // A's genuine notify delivered to another shop (same EPay key): not its order.
    const orderA = fake.orders.get(a.order.orderNo)!
    const genuineUrl = orderA.notifyUrl
    orderA.notifyUrl = callbackUrl(other.toRef(), PLUGIN)
    const [elsewhere] = await fake.notify(a.order.orderNo)
    assert.deepEqual(short(elsewhere), fail)
    orderA.notifyUrl = genuineUrl
    assert.deepEqual(await moneyFootprint(shop), before)
    assert.deepEqual(await moneyFootprint(other), beforeOther)
    assert.deepEqual(await callbackOutcomes(shop), ['bad_signature'])
    assert.deepEqual(await callbackOutcomes(other), ['unknown_trade'])

    // A pays A; A's EPay transaction re-signed onto B (a key holder) is a reused transaction.
    assert.deepEqual(short(await fake.pay(a.order.orderNo)), success)
    const [reused] = await fake.notify(a.order.orderNo, {
      signed: { out_trade_no: b.order.orderNo },
    })
    assert.deepEqual(short(reused), fail)
    assert.equal(await statusOf(shop, a.order.id), 'delivered')
    assert.equal(await statusOf(shop, b.order.id), 'pending')
    const outcomes = await callbackOutcomes(shop)
    assert.deepEqual(outcomes.slice(-2), ['accepted', 'txn_reused'])
  })

  test('the same notify 20 times at once: one payment, one delivery, all answered "success"', async ({
    assert,
  }) => {
    const shop = await epayShop(fake)
    const { order } = await checkout(shop, fake)
    fake.orders.get(order.orderNo)!.status = 1
    const replies = await fake.notify(order.orderNo, { times: 20 })
    assert.isTrue(
      replies.every((r) => r.status === 200 && r.body === 'success'),
      JSON.stringify(replies.map(short))
    )
    assert.lengthOf(await platformRows('payments', shop), 1)
    assert.lengthOf(await platformRows('deliveries', shop), 1)
    assert.lengthOf(await platformRows('ledger_transactions', shop).where('kind', 'order.paid'), 1)
    assert.lengthOf(await platformRows('card_items', shop).where('status', 'sold'), 1)
    const outcomes = await callbackOutcomes(shop)
    assert.equal(outcomes.filter((o) => o === 'accepted').length, 1)
    assert.equal(outcomes.filter((o) => o === 'duplicate').length, 19)
  })

  test('a notify before the order exists, or for an unknown trade number: rejected, reason stored', async ({
    assert,
  }) => {
    const shop = await epayShop(fake)
    const before = await moneyFootprint(shop)
    const notifyUrl = callbackUrl(shop.toRef(), PLUGIN)
    // Genuinely signed by the EPay, for trade numbers the shop never issued.
    fake.addOrder({ outTradeNo: 'ORD20991231X', money: '10.00', notifyUrl, status: 1 })
    fake.addOrder({ outTradeNo: 'bad no/../x', money: '10.00', notifyUrl, status: 1 })
    assert.deepEqual(short(await fake.pay('ORD20991231X')), fail)
    assert.deepEqual(short(await fake.pay('bad no/../x')), fail)
    // An order that exists but was never sent to EPay (no attempt through this gateway).
    const { order } = await pendingOrder(shop)
    fake.addOrder({ outTradeNo: order.orderNo, money: '10.00', notifyUrl, status: 1 })
    assert.deepEqual(short(await fake.pay(order.orderNo)), fail)
    assert.deepEqual(await callbackOutcomes(shop), [
      'unknown_trade',
      'unknown_trade',
      'unknown_trade',
    ])
    const after = await moneyFootprint(shop)
    assert.deepEqual({ ...after, statuses: before.statuses }, { ...before })
    assert.deepEqual(after.statuses, ['pending'])
    // An unknown plugin id on the shop host: 404, stored as gateway_unavailable.
    const f2 = fake.addOrder({
      outTradeNo: 'X1',
      money: '1.00',
      notifyUrl: notifyUrl.replace('payment-epay', 'payment-nope'),
    })
    const nope = await fake.pay(f2.outTradeNo)
    assert.equal(nope.status, 404)
  })

  for (const version of ['v1', 'v2'] as const) {
    test(`${version} reconciliation: a lost notify is found by the EPay query and confirmed once`, async ({
      assert,
    }) => {
      const f = version === 'v1' ? fake : await newFake('v2')
      const shop = await epayShop(f)
      const lost = await checkout(shop, f)
      const cheap = await checkout(shop, f)
      const never = await pendingOrder(shop)
      await startPayment(shop.toRef(), {
        purpose: 'order',
        targetId: never.order.id,
        pluginId: PLUGIN,
        returnUrl: `http://${hostOf(shop)}/orders/x`,
      })
      // The buyers paid (one of them, says the EPay, only 0.01); the notifies never arrived.
      f.orders.get(lost.order.orderNo)!.status = 1
      f.orders.get(cheap.order.orderNo)!.status = 1
      f.orders.get(cheap.order.orderNo)!.money = '0.01'
      // Inside the callback window: the EPay is not asked yet.
      assert.deepEqual(await reconcileShop(shop.toRef()), [])
      await db
        .connection('platform')
        .rawQuery(
          `UPDATE payment_attempts SET created_at = created_at - interval '6 minutes' WHERE tenant_id = ?`,
          [shop.id]
        )
      const reports = await reconcileShop(shop.toRef())
      const attempts = await platformRows('payment_attempts', shop)
      const byOrder = (orderId: number) =>
        reports.find((r) => r.attemptId === attempts.find((a: any) => a.order_id === orderId).id)
      assert.containsSubset(byOrder(lost.order.id), { outcome: 'confirmed' })
      assert.deepEqual(byOrder(cheap.order.id)?.outcome, 'alerted')
      // Never submitted to the EPay: unknown there, still pending here.
      assert.containsSubset(byOrder(never.order.id), { outcome: 'pending', detail: 'unknown' })
      assert.equal(await statusOf(shop, lost.order.id), 'delivered')
      assert.equal(await statusOf(shop, cheap.order.id), 'payment_mismatch')
      assert.equal(await statusOf(shop, never.order.id), 'pending')
      const alerts = await platformRows('payment_alerts', shop)
      assert.deepEqual(
        alerts.map((a: any) => [a.kind, a.data.source, a.data.reportedMinor]),
        [['amount_mismatch', 'query', '1']]
      )
      const trail = await platformRows('payment_callbacks', shop)
      assert.deepEqual(
        trail.map((t: any) => [t.method, t.outcome]),
        [
          ['QUERY', 'accepted'],
          ['QUERY', 'amount_mismatch'],
        ]
      )
      // The late notify is then a duplicate, answered "success"; nothing more happens.
      assert.deepEqual(short(await f.pay(lost.order.orderNo)), success)
      assert.lengthOf(await platformRows('payments', shop).where('outcome', 'applied'), 1)
      assert.lengthOf(await platformRows('deliveries', shop), 1)
      const outcomes = await callbackOutcomes(shop)
      assert.equal(outcomes.at(-1), 'duplicate')
    })
  }

  test('through the buyer pages: order page → choose EPay → cashier form → paid → status delivered', async ({
    client,
    assert,
  }) => {
    const shop = await epayShop(fake)
    const { order, token } = await pendingOrder(shop)
    const get = (path: string) =>
      client
        .get(path)
        .header('host', hostOf(shop))
        .header('x-forwarded-for', freshIp())
        .header('accept-language', 'en')
        .redirects(0)
    const page = await get(`/orders/${token}`)
    page.assertStatus(200)
    assert.include(page.text(), 'value="payment-epay"')
    assert.notInclude(page.text(), fake.md5Key)
    const chosen = await client
      .post(`/orders/${token}/pay`)
      .header('host', hostOf(shop))
      .header('x-forwarded-for', freshIp())
      .header('accept-language', 'en')
      .form({ gateway: PLUGIN })
      .withCsrfToken()
      .redirects(0)
    chosen.assertStatus(303)
    const formPage = await get(String(chosen.header('location')))
    formPage.assertStatus(200)
    const html = formPage.text()
    assert.include(html, `action="${fake.base}submit.php"`)
    assert.notInclude(html, fake.md5Key)
    // What the buyer's browser posts (the page auto-submits it with /js/pay_form.js).
    const decode = (v: string) =>
      v
        .replace(/&#x([0-9a-f]+);/gi, (_m, h) => String.fromCodePoint(Number.parseInt(h, 16)))
        .replace(/&#([0-9]+);/g, (_m, d) => String.fromCodePoint(Number(d)))
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&')
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        decode(m[1]),
        decode(m[2]),
      ])
    )
    assert.equal(fields.out_trade_no, order.orderNo)
    assert.equal(fields.money, '10.00')
    const cashier = await fake.submitForm(`${fake.base}submit.php`, fields)
    assert.equal(cashier.status, 200, cashier.body)
    // Coming back to the return URL pays nothing.
    assert.equal(new URL(fields.return_url).pathname, `/orders/${token}`)
    const back = await get(`/orders/${token}/status`)
    assert.deepEqual(back.body(), { status: 'pending', paid: false, final: false })
    assert.deepEqual(short(await fake.pay(order.orderNo)), success)
    const after = await get(`/orders/${token}/status`)
    assert.deepEqual(after.body(), { status: 'delivered', paid: true, final: true })
  })

  test('a v2 notify with a stale timestamp is refused as stale', async ({ assert }) => {
    const f = await newFake('v2')
    const shop = await epayShop(f)
    const { order } = await checkout(shop, f)
    f.orders.get(order.orderNo)!.status = 1
    const [reply] = await f.notify(order.orderNo, {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    })
    assert.deepEqual(short(reply), fail)
    assert.deepEqual(await callbackOutcomes(shop), ['stale'])
    assert.equal(await statusOf(shop, order.id), 'pending')
  })
})
