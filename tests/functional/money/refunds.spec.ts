import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { randomBytes } from 'node:crypto'
import { withTenant } from '#tenancy'
import { settleDueLots } from '#ledger/settlement/index'
import { refundOrder, RefundError, recordReportedRefund } from '#payments/refunds'
import { paymentHandlers } from '#payments/handlers'
import { forgetPlans } from '#payments/fees'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { auditOf, resetState, shopWithOwner } from '#tests/functional/merchant/_fixtures'
import { createBuyer } from '#tests/functional/storefront/fixtures'
import {
  balance,
  book,
  books,
  countOf,
  enableTestPay,
  fakeGateway,
  ledgerLines,
  ledgerOk,
  makeLotsDue,
  paidOrder,
  refundEvents,
  registerPlugins,
  refundedOf,
  rowsOf,
  unregisterPlugins,
} from '#tests/functional/money/_helpers'

const key = () => randomBytes(16).toString('hex')

async function until(check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

function refund(
  shop: Tenant,
  owner: User,
  orderId: number,
  amountMinor: bigint,
  extra: Partial<Parameters<typeof refundOrder>[0]> = {}
) {
  return refundOrder({
    tenant: shop.toRef(),
    orderId,
    amountMinor,
    reason: 'Buyer asked',
    idempotencyKey: key(),
    actor: { type: 'user', id: owner.id },
    ip: '127.0.0.1',
    ...extra,
  })
}

async function code(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e) => e
  )
  return error instanceof RefundError ? error.code : String(error)
}

async function orderRow(shop: Tenant, id: number) {
  const rows = await rowsOf('orders', shop).where('id', id)
  return rows[0]
}

/** A shop with the test gateway enabled and `available` already settled from an earlier order. */
async function shopWithMoney(slug: string) {
  const { shop, owner } = await shopWithOwner(slug)
  await enableTestPay(shop, owner)
  await paidOrder(shop, { price: 10_000n })
  await makeLotsDue(shop)
  await settleDueLots(shop.toRef())
  return { shop, owner }
}

test.group('money / refunds', (group) => {
  group.each.setup(async () => {
    await resetState()
    forgetPlans()
    fakeGateway.reset()
    refundEvents.length = 0
    await registerPlugins()
    mail.fake()
    return () => {
      unregisterPlugins()
      mail.restore()
    }
  })

  test('full refund: pending of the lot first, then available; gateway asked once; order refunded; event emitted', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithMoney('rf-full')
    assert.equal(await book(shop, 'available'), 9_800n)
    const order = await paidOrder(shop, { price: 10_000n })
    assert.equal(await book(shop, 'pending'), 9_800n)

    const result = await refund(shop, owner, order.id, 10_000n)
    assert.equal(result.outcome, 'succeeded')
    assert.equal(result.order.status, 'refunded')
    assert.lengthOf(fakeGateway.requests, 1)
    assert.equal(fakeGateway.requests[0].amountMinor, 10_000n)
    assert.equal(fakeGateway.requests[0].providerTxnId, `ch_${order.orderNo}`)

    const b = await books(shop)
    assert.equal(b.pending, 0n, "this order's pending taken back")
    assert.equal(b.available, 9_600n, 'the 200 fee (not refunded) comes from available')
    assert.equal(b.refunds, 0n)
    assert.equal(b.fee, 400n, 'platform fee not refunded')
    const row = await orderRow(shop, order.id)
    assert.equal(String(row.refunded_minor), '10000')
    const [refundRow] = await rowsOf('payment_refunds', shop)
    assert.equal(refundRow.status, 'succeeded')
    assert.equal(refundRow.provider_refund_id, `re_lianka-refund-${shop.id}-${refundRow.id}`)

    const all = await ledgerLines(shop)
    const lines = all.filter((l) => l.idempotency_key.startsWith('refund:'))
    assert.deepEqual(
      lines.map((l) => `${l.kind} ${l.type}${l.subject ? ':' + l.subject : ''} ${l.amount}`),
      [
        'refund.reserved tenant_pending -9800',
        'refund.reserved tenant_available -200',
        'refund.reserved refunds 10000',
        'order.refunded refunds -10000',
        'order.refunded gateway_clearing:refundpay 10000',
        'order.refunded gateway_clearing:refundpay -10000',
        'order.refunded external_world 10000',
      ]
    )
    // the lot's release moves nothing now
    await makeLotsDue(shop)
    await settleDueLots(shop.toRef())
    assert.equal(await book(shop, 'available'), 9_600n)
    assert.isTrue(await ledgerOk(shop))

    const audits = await auditOf(shop)
    const audit = audits.filter((r) => r.action === 'order.refunded')
    assert.lengthOf(audit, 1)
    assert.equal(audit[0].actor_type, 'user')
    assert.isTrue((audit[0] as any).metadata.deliveredRefundedByMerchant, 'a delivered order')
    const events = await rowsOf('order_events', shop).where({
      order_id: order.id,
      kind: 'refunded',
    })
    assert.lengthOf(events, 1)
    assert.isTrue(await until(() => refundEvents.length === 1), 'order.refunded delivered')
    assert.match(refundEvents[0], new RegExp(`^${shop.id}:${order.orderNo}:10000:order.refunded:`))
  })

  test('partial twice, over-refund refused, then neither pending nor available covers it', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('rf-partial')
    await enableTestPay(shop, owner)
    const order = await paidOrder(shop, { price: 10_000n })
    const first = await refund(shop, owner, order.id, 3_000n)
    const second = await refund(shop, owner, order.id, 3_000n)
    assert.equal(first.outcome, 'succeeded')
    assert.equal(second.outcome, 'succeeded')
    assert.equal(second.order.status, 'delivered', 'still delivered: partly refunded')
    assert.equal(await refundedOf(shop, order.id), '6000')
    assert.equal(await book(shop, 'pending'), 3_800n)

    const before = await countOf('payment_refunds', shop)
    assert.equal(await code(refund(shop, owner, order.id, 4_001n)), 'E_OVER_REFUND')
    assert.equal(await code(refund(shop, owner, order.id, 0n)), 'E_AMOUNT_INVALID')
    assert.equal(
      await code(refund(shop, owner, order.id, 10n, { reason: ' ' })),
      'E_REASON_REQUIRED'
    )
    assert.lengthOf(await rowsOf('payment_refunds', shop), before, 'nothing written')
    assert.lengthOf(fakeGateway.requests, 2)

    // the lot is released (3,800 available); 4,000 is left to refund: not covered
    await makeLotsDue(shop)
    await settleDueLots(shop.toRef())
    assert.equal(await book(shop, 'available'), 3_800n)
    assert.equal(await code(refund(shop, owner, order.id, 4_000n)), 'E_INSUFFICIENT_BALANCE')
    assert.lengthOf(fakeGateway.requests, 2, 'the gateway is not asked')
    assert.lengthOf(await rowsOf('payment_refunds', shop), before)
    assert.isTrue(await ledgerOk(shop))
  })

  test('double submit of one form refunds once (same key, concurrently)', async ({ assert }) => {
    const { shop, owner } = await shopWithOwner('rf-double')
    await enableTestPay(shop, owner)
    const order = await paidOrder(shop, { price: 5_000n })
    const k = key()
    const results = await Promise.all(
      Array.from({ length: 5 }, () => refund(shop, owner, order.id, 1_000n, { idempotencyKey: k }))
    )
    assert.equal(results.filter((r) => r.outcome === 'succeeded').length, 1)
    assert.equal(results.filter((r) => r.outcome === 'duplicate').length, 4)
    assert.lengthOf(await rowsOf('payment_refunds', shop), 1)
    assert.lengthOf(fakeGateway.requests, 1)
    assert.equal(await refundedOf(shop, order.id), '1000')
  })

  test('gateway refusal or crash: refund failed with its reason, balances as before, nothing refunded', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('rf-fail')
    await enableTestPay(shop, owner)
    const order = await paidOrder(shop, { price: 10_000n })
    const before = await books(shop)
    for (const mode of ['refuse', 'throw'] as const) {
      fakeGateway.mode = mode
      const result = await refund(shop, owner, order.id, 2_500n)
      assert.equal(result.outcome, 'failed', mode)
      assert.equal(result.refund.status, 'failed')
      assert.equal(
        result.refund.failure,
        mode === 'refuse' ? 'insufficient_gateway_balance' : 'gateway_error'
      )
    }
    assert.deepEqual(await books(shop), before, 'every balance as before')
    const lots = await rowsOf('settlement_lots', shop)
    assert.equal(String(lots[0].clawed_back_minor), '0', 'the lot is whole again')
    const row = await orderRow(shop, order.id)
    assert.equal(String(row.refunded_minor), '0')
    assert.equal(row.status, 'delivered')
    const kinds = await ledgerLines(shop).then((rows) => rows.map((l) => l.kind))
    assert.notInclude(kinds, 'order.refunded', 'no money left')
    assert.lengthOf(await rowsOf('order_events', shop).where('kind', 'refund_failed'), 2)
    assert.lengthOf(
      await auditOf(shop).then((rows) => rows.filter((r) => r.action === 'order.refund_failed')),
      2
    )
    assert.isTrue(await ledgerOk(shop))
    // and the refundable amount is whole again
    fakeGateway.mode = 'ok'
    const last = await refund(shop, owner, order.id, 10_000n - 200n)
    assert.equal(last.outcome, 'succeeded')
  })

  test('wallet refund credits the buyer; no buyer account is refused', async ({ assert }) => {
    const { shop, owner } = await shopWithOwner('rf-wallet')
    await enableTestPay(shop, owner)
    const buyer = await createBuyer(shop.toRef(), 'ann@example.test')
    const order = await paidOrder(shop, { price: 10_000n, buyerId: buyer.id })
    const result = await refund(shop, owner, order.id, 4_000n, { method: 'wallet' })
    assert.equal(result.outcome, 'succeeded')
    assert.equal(result.refund.method, 'wallet')
    assert.equal(await balance(shop, { type: 'buyer_wallet', subject: String(buyer.id) }), 4_000n)
    assert.equal(await book(shop, 'pending'), 5_800n)
    assert.lengthOf(fakeGateway.requests, 0, 'no gateway involved')

    const guestOrder = await paidOrder(shop, { price: 1_000n })
    assert.equal(
      await code(refund(shop, owner, guestOrder.id, 100n, { method: 'wallet' })),
      'E_NO_BUYER'
    )
    assert.isTrue(await ledgerOk(shop))
  })

  test('direct settlement: recorded, the shop balance does not move', async ({ assert }) => {
    const { shop, owner } = await shopWithOwner('rf-direct')
    await enableTestPay(shop, owner)
    const order = await paidOrder(shop, { price: 10_000n, settlement: 'direct' })
    const before = await books(shop)
    const result = await refund(shop, owner, order.id, 10_000n)
    assert.equal(result.outcome, 'succeeded')
    assert.equal(result.order.status, 'refunded')
    assert.deepEqual(await books(shop), before)
    const all = await ledgerLines(shop)
    const lines = all.filter((l) => l.kind === 'order.refunded')
    assert.deepEqual(
      lines.map((l) => `${l.type}${l.subject ? ':' + l.subject : ''} ${l.amount}`),
      [
        'external_world -10000',
        'gateway_clearing:refundpay 10000',
        'gateway_clearing:refundpay -10000',
        'external_world 10000',
      ]
    )
    assert.isTrue(await ledgerOk(shop))
  })

  test('no refund capability or gateway disabled: refused clearly, nothing written', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('rf-nocap')
    const order = await paidOrder(shop, { price: 1_000n }) // refundpay never enabled here
    assert.equal(await code(refund(shop, owner, order.id, 100n)), 'E_GATEWAY_UNAVAILABLE')
    assert.lengthOf(await rowsOf('payment_refunds', shop), 0)
  })

  test("cross-tenant: another shop's order cannot be refunded", async ({ assert }) => {
    const a = await shopWithOwner('rf-shop-a')
    const b = await shopWithOwner('rf-shop-b')
    await enableTestPay(a.shop, a.owner)
    await enableTestPay(b.shop, b.owner)
    const order = await paidOrder(a.shop, { price: 1_000n })
    assert.equal(await code(refund(b.shop, b.owner, order.id, 100n)), 'E_ORDER_NOT_FOUND')
    assert.lengthOf(await rowsOf('payment_refunds', a.shop), 0)
    assert.lengthOf(await rowsOf('payment_refunds', b.shop), 0)
    assert.lengthOf(fakeGateway.requests, 0)
  })

  test('refunds the gateway reports: recorded once, known, or unknown payment', async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('rf-report')
    await enableTestPay(shop, owner)
    const order = await paidOrder(shop, { price: 10_000n })
    assert.strictEqual(paymentHandlers.refundReport, recordReportedRefund)
    const report = {
      tenantId: shop.id,
      gateway: 'refundpay',
      providerTxnId: `ch_${order.orderNo}`,
      providerRefundId: 're_dashboard_1',
      amountMinor: 2_000n,
      currency: 'CNY',
    }
    const run = (r: typeof report) =>
      withTenant((trx) => paymentHandlers.refundReport!(trx, r), shop.toRef())
    assert.deepEqual(await run(report), { outcome: 'recorded' })
    assert.deepEqual(await run(report), { outcome: 'known' })
    assert.deepEqual(await run({ ...report, providerTxnId: 'ch_nope' }), {
      outcome: 'unknown_payment',
    })
    const rows = await rowsOf('payment_refunds', shop)
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].status, 'succeeded')
    assert.equal(await refundedOf(shop, order.id), '2000')
    assert.equal(await book(shop, 'pending'), 7_800n)
    const audits = await auditOf(shop)
    const audit = audits.filter((r) => r.action === 'order.refunded')
    assert.equal(audit[0].actor_type, 'system')

    // the platform's own refund, reported by the webhook: one refund, not two
    const ours = await refund(shop, owner, order.id, 1_000n)
    assert.deepEqual(
      await run({
        ...report,
        providerRefundId: ours.refund.providerRefundId!,
        amountMinor: 1_000n,
      }),
      { outcome: 'known' }
    )
    assert.lengthOf(await rowsOf('payment_refunds', shop), 2)
    assert.equal(await refundedOf(shop, order.id), '3000')
    assert.isTrue(await ledgerOk(shop))
    assert.isTrue(await until(() => refundEvents.length === 2))
  })

  test("the gateway's webhook arriving before its API answer completes the same refund, once", async ({
    assert,
  }) => {
    const { shop, owner } = await shopWithOwner('rf-race')
    await enableTestPay(shop, owner)
    const order = await paidOrder(shop, { price: 10_000n })
    const outcomes: string[] = []
    fakeGateway.mode = 'webhook_first'
    fakeGateway.beforeAnswer = async (request) => {
      const reported = await withTenant(
        (trx) =>
          paymentHandlers.refundReport!(trx, {
            tenantId: shop.id,
            gateway: 'refundpay',
            providerTxnId: request.providerTxnId,
            providerRefundId: `re_${request.idempotencyKey}`,
            amountMinor: request.amountMinor,
            currency: request.currency,
          }),
        shop.toRef()
      )
      outcomes.push(reported.outcome)
    }
    const result = await refund(shop, owner, order.id, 4_000n)
    assert.deepEqual(outcomes, ['known'], 'the webhook found the pending refund')
    assert.equal(result.outcome, 'succeeded')
    assert.lengthOf(await rowsOf('payment_refunds', shop), 1)
    assert.equal(await refundedOf(shop, order.id), '4000')
    assert.equal(await book(shop, 'pending'), 5_800n)
    assert.equal(await book(shop, 'refunds'), 0n)
    const all = await ledgerLines(shop)
    assert.lengthOf(
      all.filter((l) => l.kind === 'order.refunded' && l.type === 'external_world'),
      1,
      'the money left once'
    )
    assert.isTrue(await ledgerOk(shop))
  })
})
