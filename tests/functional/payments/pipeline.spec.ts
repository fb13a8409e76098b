import { test } from '@japa/runner'
import { randomBytes } from 'node:crypto'
import { handleCallback } from '#payments'
import { setPluginEnabled } from '#plugin_host'
import {
  callbackOutcomes,
  GATEWAY_KEY,
  moneyFootprint,
  pendingOrder,
  platformRows,
  postCallback,
  shopWithGateway,
  sign,
  startAttempt,
  startedOrder,
  withTestGateway,
} from '#tests/functional/payments/_fixtures'

const slug = () => `pay-${randomBytes(4).toString('hex')}`

test.group('payments / callback pipeline', (group) => {
  const fx = withTestGateway(group)

  test('a verified callback delivers the order once; the raw callback is stored', async ({
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint)
    const { order } = await pendingOrder(shop)
    const started = await startAttempt(shop, order.id)
    assert.equal(started.action.kind, 'redirect')
    const [attempt] = await platformRows('payment_attempts', shop)
    assert.equal(attempt.status, 'pending')
    assert.match(attempt.provider_ref, /^TP/)
    assert.equal(attempt.settlement, 'platform')
    const fake = fx.gateway.markPaid(attempt.provider_ref)
    assert.equal(new URL(fake.notifyUrl).pathname, '/pay/callback/test-gateway')
    assert.equal(new URL(fake.notifyUrl).hostname, `${shop.slug}.localhost`)

    const body = fx.gateway.callbackBody(fake)
    const reply = await postCallback(shop, body)
    assert.deepEqual(reply, { status: 200, body: 'OK' })
    const [row] = await platformRows('orders', shop)
    assert.equal(row.status, 'delivered')
    const [cb] = await platformRows('payment_callbacks', shop)
    assert.equal(cb.outcome, 'accepted')
    assert.equal(Buffer.from(cb.raw_body).toString('utf8'), body)
    assert.notProperty(cb.headers, 'cookie')
    assert.equal(cb.attempt_id, attempt.id)
    const [payment] = await platformRows('payments', shop)
    assert.equal(payment.gateway, 'testpay')
    assert.equal(
      await platformRows('payment_attempts', shop).then((rows) => rows[0].status),
      'succeeded'
    )
  })

  test('forged signature, unknown trade, notify before the order exists: rejected, nothing changed', async ({
    assert,
  }) => {
    const { shop, attempt } = await startedOrder(slug(), fx.endpoint)
    const fake = fx.gateway.markPaid(attempt.provider_ref)
    const before = await moneyFootprint(shop)

    const body = fx.gateway.callbackBody(fake)
    assert.equal(
      await postCallback(shop, body, { signature: sign('wrong-key-123456', body) }).then(
        (r) => r.body
      ),
      'FAIL'
    )
    assert.equal(await postCallback(shop, body, { signature: null }).then((r) => r.status), 400)
    // Tampered after signing.
    const tampered = body.replace(fake.amount, '0.01')
    assert.equal(
      await postCallback(shop, tampered, { signature: sign(GATEWAY_KEY, body) }).then(
        (r) => r.status
      ),
      400
    )
    // A trade number that is no order of this shop (a notify before the order exists).
    const unknown = fx.gateway.callbackBody(fake, { trade_no: '20991231ZZZZZZZZ' })
    assert.equal(await postCallback(shop, unknown).then((r) => r.status), 400)
    const nonsense = fx.gateway.callbackBody(fake, { trade_no: ['x'] })
    assert.equal(await postCallback(shop, nonsense).then((r) => r.status), 400)
    // An unknown plugin id and a plugin that is not enabled here.
    assert.equal(
      await postCallback(shop, body, { pluginId: 'no-such-gateway' }).then((r) => r.status),
      404
    )

    assert.deepEqual(await moneyFootprint(shop), before)
    assert.deepEqual(await callbackOutcomes(shop), [
      'bad_signature',
      'bad_signature',
      'bad_signature',
      'unknown_trade',
      'unknown_trade',
      'gateway_unavailable',
    ])
  })

  test('tampered amounts in every form are refused as invalid, nothing changed', async ({
    assert,
  }) => {
    const { shop, attempt } = await startedOrder(slug(), fx.endpoint)
    const fake = fx.gateway.markPaid(attempt.provider_ref)
    const before = await moneyFootprint(shop)
    const forms: unknown[] = [
      ['10.00'],
      ['10.00', '0.01'],
      10,
      10.0,
      1e1,
      '1e1',
      '1.0e1',
      '10.000',
      '+10.00',
      ' 10.00',
      '10,00',
      '0x0A',
      '',
      null,
      { v: '10.00' },
      '10.00abc',
      'NaN',
      '-10.00',
    ]
    for (const amount of forms) {
      const reply = await postCallback(shop, fx.gateway.callbackBody(fake, { amount }))
      assert.equal(reply.status, 400, `amount ${JSON.stringify(amount)}`)
    }
    assert.deepEqual(await moneyFootprint(shop), before)
    const outcomes = await callbackOutcomes(shop)
    assert.lengthOf(outcomes, forms.length)
    assert.isTrue(
      outcomes.every((o) => o === 'amount_invalid'),
      outcomes.join(',')
    )
  })

  test('a valid signature replayed onto another order or another shop is refused', async ({
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint)
    const { shop: other } = await shopWithGateway(slug(), fx.endpoint)
    const a = await pendingOrder(shop)
    const b = await pendingOrder(shop)
    await startAttempt(shop, a.order.id)
    await startAttempt(shop, b.order.id)
    const attempts = await platformRows('payment_attempts', shop)
    const paidA = fx.gateway.markPaid(attempts[0].provider_ref)
    const bodyA = fx.gateway.callbackBody(paidA)
    const before = await moneyFootprint(shop)
    const beforeOther = await moneyFootprint(other)

    // A's signed payload with B's order number (signature no longer matches).
    const onB = bodyA.replace(a.order.orderNo, b.order.orderNo)
    assert.equal(
      await postCallback(shop, onB, { signature: sign(GATEWAY_KEY, bodyA) }).then((r) => r.status),
      400
    )
    // A's notify sent to another shop that happens to share the key: not its order.
    assert.equal(await postCallback(other, bodyA).then((r) => r.status), 400)
    // B's number signed with A's gateway reference: the reference is another attempt's.
    const crossRef = fx.gateway.callbackBody(paidA, { trade_no: b.order.orderNo })
    assert.equal(await postCallback(shop, crossRef).then((r) => r.status), 400)
    assert.deepEqual(await moneyFootprint(shop), before)
    assert.deepEqual(await moneyFootprint(other), beforeOther)
    assert.deepEqual(await callbackOutcomes(shop), ['bad_signature', 'provider_ref_mismatch'])
    assert.deepEqual(await callbackOutcomes(other), ['unknown_trade'])

    // Then the genuine notify of A is still taken, once; the same txn id on B is refused.
    assert.equal(await postCallback(shop, bodyA).then((r) => r.status), 200)
    const reusedTxn = fx.gateway.callbackBody(paidA, {
      trade_no: b.order.orderNo,
      ref: attempts[1].provider_ref,
    })
    assert.equal(await postCallback(shop, reusedTxn).then((r) => r.status), 400)
    const orders = await platformRows('orders', shop)
    assert.deepEqual(
      orders.map((o: any) => o.status),
      ['delivered', 'pending']
    )
    assert.deepEqual(await callbackOutcomes(shop).then((o) => o.slice(-2)), [
      'accepted',
      'txn_reused',
    ])
  })

  test('currency or amount mismatch: not delivered, recorded, alerted, gateway told rejected', async ({
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint)
    const first = await pendingOrder(shop)
    const second = await pendingOrder(shop)
    await startAttempt(shop, first.order.id)
    await startAttempt(shop, second.order.id)
    const attempts = await platformRows('payment_attempts', shop)
    const p1 = fx.gateway.markPaid(attempts[0].provider_ref)
    const p2 = fx.gateway.markPaid(attempts[1].provider_ref)

    const usd = fx.gateway.callbackBody(p1, { currency: 'USD' })
    assert.deepEqual(await postCallback(shop, usd), { status: 400, body: 'FAIL' })
    const cheap = fx.gateway.callbackBody(p2, { amount: '0.01' })
    assert.deepEqual(await postCallback(shop, cheap), { status: 400, body: 'FAIL' })
    // Replays keep the same answer and change nothing more.
    assert.equal(await postCallback(shop, cheap).then((r) => r.status), 400)

    const orders = await platformRows('orders', shop)
    assert.deepEqual(
      orders.map((o: any) => o.status),
      ['payment_mismatch', 'payment_mismatch']
    )
    assert.lengthOf(await platformRows('deliveries', shop), 0)
    assert.lengthOf(await platformRows('card_items', shop).where('status', 'sold'), 0)
    assert.lengthOf(await platformRows('ledger_transactions', shop), 0)
    const payments = await platformRows('payments', shop)
    assert.deepEqual(
      payments.map((p: any) => p.outcome),
      ['mismatch', 'mismatch']
    )
    const alerts = await platformRows('payment_alerts', shop)
    assert.deepEqual(
      alerts.map((a: any) => a.kind),
      ['currency_mismatch', 'amount_mismatch']
    )
    assert.deepEqual(await callbackOutcomes(shop), [
      'currency_mismatch',
      'amount_mismatch',
      'duplicate',
    ])
  })

  test('the same notify 20 times concurrently: one payment, one delivery, one ledger transaction', async ({
    assert,
  }) => {
    const { shop, attempt } = await startedOrder(slug(), fx.endpoint)
    const body = fx.gateway.callbackBody(fx.gateway.markPaid(attempt.provider_ref))
    const replies = await Promise.all(Array.from({ length: 20 }, () => postCallback(shop, body)))
    assert.isTrue(replies.every((r) => r.status === 200 && r.body === 'OK'))
    assert.lengthOf(await platformRows('payments', shop), 1)
    assert.lengthOf(await platformRows('deliveries', shop), 1)
    assert.lengthOf(await platformRows('ledger_transactions', shop).where('kind', 'order.paid'), 1)
    assert.lengthOf(await platformRows('card_items', shop).where('status', 'sold'), 1)
    const outcomes = await callbackOutcomes(shop)
    assert.lengthOf(outcomes, 20)
    assert.equal(outcomes.filter((o) => o === 'accepted').length, 1)
    assert.equal(outcomes.filter((o) => o === 'duplicate').length, 19)
  })

  test('a disabled gateway, a throwing plugin and non-payment events', async ({ assert }) => {
    const { shop, attempt } = await startedOrder(slug(), fx.endpoint)
    const fake = fx.gateway.markPaid(attempt.provider_ref)

    const failed = fx.gateway.callbackBody(fake, { type: 'failed' })
    assert.equal(await postCallback(shop, failed).then((r) => r.status), 200)
    assert.equal(
      await platformRows('payment_attempts', shop).then((rows) => rows[0].status),
      'failed'
    )
    const other = fx.gateway.callbackBody(fake, { type: 'something.else' })
    assert.equal(await postCallback(shop, other).then((r) => r.status), 200)
    const explode = fx.gateway.callbackBody(fake, { type: 'explode' })
    assert.deepEqual(await postCallback(shop, explode), { status: 400, body: 'FAIL' })
    const dispute = fx.gateway.callbackBody(fake, { type: 'disputed', txn_id: 'TXN-unknown' })
    assert.equal(await postCallback(shop, dispute).then((r) => r.status), 200)
    assert.deepEqual(
      await platformRows('payment_alerts', shop).then((rows) => rows.map((a: any) => a.kind)),
      ['disputed']
    )
    assert.deepEqual(
      await platformRows('merchant_alerts', shop).then((rows) => rows.map((a: any) => a.kind)),
      ['payment_disputed']
    )
    // A late paid notify for a failed attempt still pays (the money arrived).
    assert.equal(await postCallback(shop, fx.gateway.callbackBody(fake)).then((r) => r.status), 200)
    assert.equal(await platformRows('orders', shop).then((rows) => rows[0].status), 'delivered')
    assert.deepEqual(await callbackOutcomes(shop), [
      'failed_reported',
      'ignored',
      'gateway_error',
      'dispute_reported',
      'accepted',
    ])

    // The pipeline called directly: a gateway that is not enabled for the shop.
    const { shop: bare, owner } = await shopWithGateway(slug(), fx.endpoint)
    await setPluginEnabled({
      tenant: bare.toRef(),
      userId: owner.id,
      pluginId: 'test-gateway',
      enabled: false,
    })
    const reply = await handleCallback(bare.toRef(), 'test-gateway', {
      method: 'POST',
      headers: {},
      query: {},
      rawBody: Buffer.from('{}'),
    })
    assert.equal(reply.status, 400)
    assert.deepEqual(await callbackOutcomes(bare), ['gateway_unavailable'])
  })
})
