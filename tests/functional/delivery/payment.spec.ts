import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import { withTenant } from '#tenancy'
import { confirmPayment, DeliveryError, expireReservations, markPaidOffline } from '#delivery'
import { createShop, createUser, resetState, auditOf } from '#tests/functional/merchant/_fixtures'
import {
  addItems,
  backdateReservations,
  itemCounts,
  order,
  pay,
  pending,
  platformFee,
  productOf,
  rowsOf,
} from '#tests/functional/delivery/_fixtures'

test.group('delivery / payment confirmation', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('a matching payment sells the reserved items, posts revenue and delivers', async ({
    assert,
  }) => {
    const shop = await createShop('pay-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 5)
    const { order: o, reservedItemIds } = await order(shop, product, 2)

    const result = await pay(shop, o.orderNo, 2_000n)
    assert.equal(result.outcome, 'paid')
    assert.equal(result.order.status, 'delivered')
    assert.sameMembers(result.soldItemIds, reservedItemIds)
    assert.isNotNull(result.ledgerTransactionId)
    assert.deepEqual(await itemCounts(shop), { available: 3, reserved: 0, sold: 2, void: 0 })
    // standard plan: 2 % platform fee (40), the rest pending for the shop
    assert.equal(await pending(shop), 1_960n)
    assert.equal(await platformFee(shop), 40n)
    const [line] = await rowsOf('order_lines', shop)
    const sold = await rowsOf('card_items', shop).where('status', 'sold')
    assert.isTrue(sold.every((i) => Number(i.sold_line_id) === Number(line.id)))
    assert.lengthOf(await rowsOf('deliveries', shop), 1)
    assert.lengthOf(await rowsOf('settlement_lots', shop), 1)
    const events = await rowsOf('order_events', shop)
    assert.includeMembers(
      events.map((e) => e.kind),
      ['created', 'reserved', 'paid', 'delivered']
    )
    const audit = await auditOf(shop)
    assert.equal(audit.at(-1)?.action, 'order.paid')

    // replay: nothing changes
    const again = await pay(shop, o.orderNo, 2_000n)
    assert.equal(again.outcome, 'duplicate')
    assert.equal(await pending(shop), 1_960n)
    assert.lengthOf(await rowsOf('payments', shop), 1)
    assert.lengthOf(await rowsOf('ledger_transactions', shop), 1)
  })

  test('wrong amount or currency: payment_mismatch, not delivered, merchant alerted', async ({
    assert,
  }) => {
    const shop = await createShop('pay-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 3)
    const a = await order(shop, product)
    const b = await order(shop, product)
    const r1 = await pay(shop, a.order.orderNo, 999n, 'T-a')
    const r2 = await pay(shop, b.order.orderNo, 1_000n, 'T-b', 'USD')
    for (const r of [r1, r2]) {
      assert.equal(r.outcome, 'mismatch')
      assert.equal(r.order.status, 'payment_mismatch')
      assert.deepEqual(r.soldItemIds, [])
    }
    assert.deepEqual(await itemCounts(shop), { available: 3, reserved: 0, sold: 0, void: 0 })
    assert.equal(await pending(shop), 0n)
    const alerts = await rowsOf('order_events', shop).where('kind', 'merchant_alerted')
    assert.lengthOf(alerts, 2)
    // a later correct payment of a mismatched order is an extra payment, still not delivered
    const r3 = await pay(shop, a.order.orderNo, 1_000n, 'T-a2')
    assert.equal(r3.outcome, 'extra')
    assert.equal(await pending(shop), 0n)
  })

  test('bad confirmation input and unknown orders are typed errors', async ({ assert }) => {
    const shop = await createShop('pay-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const { order: o } = await order(shop, product)
    const base = {
      tenantId: shop.id,
      gateway: 'epay',
      providerTxnId: 'T',
      orderNo: o.orderNo,
      amountMinor: 1_000n,
      currency: 'CNY',
      paidAt: new Date(),
    }
    const cases: Array<[string, any, string]> = [
      ['number amount', { ...base, amountMinor: 1000 }, 'E_PAYMENT_INVALID'],
      ['zero', { ...base, amountMinor: 0n }, 'E_PAYMENT_INVALID'],
      ['bad gateway', { ...base, gateway: 'Ep ay' }, 'E_PAYMENT_INVALID'],
      ['no txn', { ...base, providerTxnId: '' }, 'E_PAYMENT_INVALID'],
      ['unknown order', { ...base, orderNo: 'X1' }, 'E_ORDER_NOT_FOUND'],
    ]
    for (const [label, input, code] of cases) {
      const error = await confirmPayment(input).catch((e) => e)
      assert.instanceOf(error, DeliveryError, label)
      assert.equal(error.code, code, label)
    }
    const other = await createShop('pay-other')
    const error = await confirmPayment({ ...base, tenantId: other.id }).catch((e) => e)
    assert.equal(error.code, 'E_ORDER_NOT_FOUND', "another shop's order is not found")
    assert.lengthOf(await rowsOf('payments', shop), 0)
  })

  test('paid after expiry: re-reserves when stock remains, else paid_unfulfilled', async ({
    assert,
  }) => {
    const shop = await createShop('pay-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const first = await order(shop, product)
    await backdateReservations(shop)
    const expired = await withTenant((trx) => expireReservations(trx, shop.id), shop.toRef())
    assert.lengthOf(expired, 1)
    assert.deepEqual(await itemCounts(shop), { available: 1, reserved: 0, sold: 0, void: 0 })

    const late = await pay(shop, first.order.orderNo, 1_000n, 'T-late')
    assert.equal(late.outcome, 'paid', 'stock remained: re-reserved and delivered')
    assert.equal(late.order.status, 'delivered')

    await addItems(shop, product, 1)
    const second = await order(shop, product)
    await backdateReservations(shop)
    await withTenant((trx) => expireReservations(trx, shop.id), shop.toRef())
    const third = await order(shop, product) // takes the released item
    const unfulfilled = await pay(shop, second.order.orderNo, 1_000n, 'T-late2')
    assert.equal(unfulfilled.outcome, 'unfulfilled')
    assert.equal(unfulfilled.order.status, 'paid_unfulfilled')
    assert.deepEqual(await itemCounts(shop), { available: 0, reserved: 1, sold: 1, void: 0 })
    assert.equal(third.order.status, 'pending')
    assert.equal(
      await pending(shop),
      1_960n,
      'money received is booked either way (less 2 × 20 fee)'
    )
    const alerts = await rowsOf('order_events', shop).where('kind', 'merchant_alerted')
    assert.lengthOf(alerts, 1)
  })

  test('the merchant marks an order paid offline: same action, audited with the reason', async ({
    assert,
  }) => {
    const shop = await createShop('pay-shop')
    const user = await createUser('owner@pay-shop.test')
    const product = await productOf(shop)
    await addItems(shop, product, 2)
    const { order: o } = await order(shop, product, 2)
    const input = {
      tenant: shop.toRef(),
      actor: { type: 'user' as const, id: user.id },
      orderId: o.id,
      reason: 'bank transfer ref 7781',
    }
    const result = await markPaidOffline(input)
    assert.equal(result.outcome, 'paid')
    const twice = await markPaidOffline(input)
    assert.equal(twice.outcome, 'duplicate')
    const [payment] = await rowsOf('payments', shop)
    assert.equal(payment.gateway, 'offline')
    const audit = await auditOf(shop)
    const row = audit.find((a) => a.action === 'order.marked_paid_offline')
    assert.equal(row?.metadata.reason, 'bank transfer ref 7781')
    assert.equal(Number(row?.actor_id), user.id)
    const missing = await markPaidOffline({ ...input, reason: '' }).catch((e) => e)
    assert.equal(missing.code, 'E_PAYMENT_INVALID')
  })
})
