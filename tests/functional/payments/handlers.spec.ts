import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { randomBytes } from 'node:crypto'
import { withTenant } from '#tenancy'
import { paymentHandlers, startPayment } from '#payments'
import type { ReportedRefund, VerifiedPayment } from '#payments/handlers'
import {
  callbackOutcomes,
  fakeGateway,
  GATEWAY_KEY,
  platformRows,
  postCallback,
  registerTestGateway,
  shopWithGateway,
  PLUGIN,
} from '#tests/functional/payments/_fixtures'
import { createBuyer } from '#tests/functional/storefront/fixtures'
import { resetState } from '#tests/functional/merchant/_fixtures'

const slug = () => `hd-${randomBytes(4).toString('hex')}`

/**
 * The pipeline hands verified top-ups and gateway-reported refunds to the handlers the
 * money module registers. Here stand-in handlers record what they get (the registry holds
 * one handler each; the previous ones are put back afterwards).
 */
test.group('payments / top-up and refund handlers', (group) => {
  let gateway: ReturnType<typeof fakeGateway>
  let endpoint: string
  const topUps: (VerifiedPayment & { topupId: number })[] = []
  const refunds: ReportedRefund[] = []
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    const unregister = await registerTestGateway()
    gateway = fakeGateway(GATEWAY_KEY)
    endpoint = await gateway.start()
    topUps.length = 0
    refunds.length = 0
    const previous = { topUp: paymentHandlers.topUp, refund: paymentHandlers.refundReport }
    paymentHandlers.onTopUpPaid(async (_trx, payment) => {
      topUps.push(payment)
      return { outcome: topUps.length > 1 ? 'duplicate' : 'credited' }
    })
    paymentHandlers.onRefundReported(async (_trx, refund) => {
      refunds.push(refund)
      return { outcome: refund.providerTxnId === 'TXN-unknown' ? 'unknown_payment' : 'recorded' }
    })
    return async () => {
      paymentHandlers.onTopUpPaid(previous.topUp as any)
      paymentHandlers.onRefundReported(previous.refund as any)
      unregister()
      mail.restore()
      await gateway.stop()
    }
  })

  test('a wallet top-up is paid through the pipeline into the top-up handler', async ({
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), endpoint)
    const buyer = await createBuyer(shop.toRef(), 'wallet@example.test')
    const [topup] = await withTenant(
      (trx) =>
        trx
          .table('wallet_topups')
          .insert({
            tenant_id: shop.id,
            topup_no: 'W20261125TOPUP1',
            buyer_id: buyer.id,
            amount_minor: 5000,
            currency: 'CNY',
          })
          .returning('id'),
      shop.toRef()
    )
    const started = await startPayment(shop.toRef(), {
      purpose: 'wallet_topup',
      targetId: Number(topup.id),
      pluginId: PLUGIN,
      returnUrl: 'http://x.test/',
    })
    const fake = gateway.latest('W20261125TOPUP1')!
    assert.equal(fake.amount, '50.00')
    const paid = gateway.markPaid(fake.ref)
    const cheap = await postCallback(shop, gateway.callbackBody(paid, { amount: '5.00' }))
    assert.equal(cheap.status, 400)
    assert.lengthOf(topUps, 0)
    assert.equal(await postCallback(shop, gateway.callbackBody(paid)).then((r) => r.status), 200)
    assert.equal(await postCallback(shop, gateway.callbackBody(paid)).then((r) => r.status), 200)
    assert.lengthOf(topUps, 2)
    assert.include(topUps[0], {
      topupId: Number(topup.id),
      attemptId: started.attemptId,
      gateway: 'testpay',
      providerTxnId: paid.txnId,
      amountMinor: 5000n,
      currency: 'CNY',
      settlement: 'platform',
    })
    assert.deepEqual(await callbackOutcomes(shop), ['amount_mismatch', 'accepted', 'duplicate'])
    const alerts = await platformRows('payment_alerts', shop)
    assert.deepEqual(
      alerts.map((a: any) => a.kind),
      ['amount_mismatch']
    )
  })

  test('refunds the gateway reports reach the refund handler; unknown ones alert', async ({
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), endpoint)
    const refund = (overrides: Record<string, unknown>) =>
      JSON.stringify({
        type: 'refunded',
        txn_id: 'TXN-1',
        refund_id: 'RF-1',
        amount: '3.50',
        currency: 'CNY',
        ...overrides,
      })
    assert.equal(await postCallback(shop, refund({})).then((r) => r.status), 200)
    assert.equal(await postCallback(shop, refund({ amount: '3.5e0' })).then((r) => r.status), 400)
    assert.equal(
      await postCallback(shop, refund({ txn_id: 'TXN-unknown' })).then((r) => r.status),
      200
    )
    assert.deepEqual(
      refunds.map((r) => [r.providerTxnId, r.providerRefundId, r.amountMinor]),
      [
        ['TXN-1', 'RF-1', 350n],
        ['TXN-unknown', 'RF-1', 350n],
      ]
    )
    assert.deepEqual(await callbackOutcomes(shop), [
      'refund_reported',
      'amount_invalid',
      'refund_reported',
    ])
    const alerts = await platformRows('payment_alerts', shop)
    assert.deepEqual(
      alerts.map((a: any) => a.kind),
      ['unknown_payment']
    )
  })
})
