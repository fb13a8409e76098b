import { test } from '@japa/runner'
import mail from '@adonisjs/mail/services/main'
import db from '@adonisjs/lucid/services/db'
import { withTenant } from '#tenancy'
import { platformFeeFor, forgetPlans } from '#payments/fees'
import { updatePlanFees, assignPlan } from '#payments/plans_admin'
import {
  auditOf,
  createShop,
  resetState,
  shopWithOwner,
} from '#tests/functional/merchant/_fixtures'
import {
  book,
  books,
  ledgerLines,
  ledgerOk,
  paidOrder,
  rowsOf,
} from '#tests/functional/money/_helpers'

async function platformAuditActions() {
  const rows = await db.connection('platform').from('platform_audit_events').orderBy('seq')
  return rows as { action: string; metadata: Record<string, any>; tenant_id: number | null }[]
}

test.group('money / platform fee per plan', (group) => {
  group.each.setup(async () => {
    await resetState()
    forgetPlans()
    mail.fake()
    return () => mail.restore()
  })

  test('platform settlement: fee to platform_fee, the rest pending with its lot; sums zero', async ({
    assert,
  }) => {
    const shop = await createShop('fee-platform')
    const order = await paidOrder(shop, { price: 10_025n })
    // standard: 200 bps of 10,025 = 200.5 → 201
    const [payment] = await rowsOf('payments', shop)
    assert.equal(String(payment.fee_minor), '201')
    assert.equal(payment.settlement, 'platform')
    const b = await books(shop)
    assert.equal(b.pending, 9_824n)
    assert.equal(b.fee, 201n)
    assert.equal(b.clearing, 0n)
    const [lot] = await rowsOf('settlement_lots', shop)
    assert.equal(String(lot.amount), '9824')
    const lines = await ledgerLines(shop)
    assert.deepEqual(
      lines.map((l) => `${l.type}${l.subject ? ':' + l.subject : ''} ${l.amount}`),
      [
        'external_world -10025',
        'gateway_clearing:refundpay 10025',
        'gateway_clearing:refundpay -10025',
        'tenant_pending 9824',
        'platform_fee 201',
      ]
    )
    assert.equal(lines[0].idempotency_key, `order:${order.orderNo}:paid`)
    assert.equal(
      lines.reduce((s, l) => s + BigInt(l.amount), 0n),
      0n
    )
    assert.isTrue(await ledgerOk(shop))
  })

  test('direct settlement: fee to platform_fee, net out to the merchant, no lot', async ({
    assert,
  }) => {
    const shop = await createShop('fee-direct')
    await paidOrder(shop, { price: 10_000n, settlement: 'direct' })
    const [payment] = await rowsOf('payments', shop)
    assert.equal(payment.settlement, 'direct')
    assert.equal(String(payment.fee_minor), '200')
    const b = await books(shop)
    assert.equal(b.pending, 0n)
    assert.equal(b.fee, 200n)
    assert.equal(b.clearing, 0n)
    assert.lengthOf(await rowsOf('settlement_lots', shop), 0)
    const lines = await ledgerLines(shop)
    assert.deepEqual(
      lines.map((l) => `${l.type}${l.subject ? ':' + l.subject : ''} ${l.amount}`),
      [
        'external_world -10000',
        'gateway_clearing:refundpay 10000',
        'gateway_clearing:refundpay -200',
        'platform_fee 200',
        'gateway_clearing:refundpay -9800',
        'external_world 9800',
      ]
    )
    assert.isTrue(await ledgerOk(shop))
  })

  test('per plan, fixed part, cap at the amount; zero-fee postings left out', async ({
    assert,
  }) => {
    const admin = { adminId: 0, ip: '127.0.0.1' }
    const a = await createShop('fee-pro')
    await db.connection('platform').from('tenants').where('id', a.id).update({ plan_code: 'pro' })
    forgetPlans()
    await paidOrder(a, { price: 10_000n })
    assert.equal(await book(a, 'fee'), 100n, 'pro: 100 bps')

    const b = await createShop('fee-fixed')
    await db.connection('platform').from('plans').where('code', 'standard').update({
      fee_bps: 0,
      fee_fixed_minor: 30,
    })
    forgetPlans()
    await paidOrder(b, { price: 1_000n })
    assert.equal(await book(b, 'fee'), 30n)
    assert.equal(await book(b, 'pending'), 970n)
    // fee = whole amount: no pending posting, no lot
    await paidOrder(b, { price: 20n })
    assert.equal(await book(b, 'fee'), 50n)
    assert.equal(await book(b, 'pending'), 970n)
    assert.lengthOf(await rowsOf('settlement_lots', b), 1)

    const c = await createShop('fee-zero')
    await db.connection('platform').from('plans').where('code', 'standard').update({
      fee_bps: 0,
      fee_fixed_minor: 0,
    })
    forgetPlans()
    await paidOrder(c, { price: 1_000n })
    const lines = await ledgerLines(c)
    assert.notInclude(
      lines.map((l) => l.type),
      'platform_fee',
      'no zero posting'
    )
    for (const shop of [a, b, c]) assert.isTrue(await ledgerOk(shop))
    void admin
  })

  test('platformFeeFor (Stripe application fee) uses the shop plan; plan changes are audited', async ({
    assert,
  }) => {
    const { shop } = await shopWithOwner('fee-audit')
    const fee = () =>
      withTenant((trx) => platformFeeFor(trx, shop.id, 10_000n, 'CNY'), shop.toRef())
    assert.equal(await fee(), 200n)

    const updated = await updatePlanFees({
      adminId: 7,
      ip: '127.0.0.1',
      code: 'standard',
      feeBps: 350,
      feeFixedMinor: 10n,
    })
    assert.equal(updated?.feeBps, 350)
    assert.equal(await fee(), 360n, 'cache cleared by the change')
    assert.isNull(await updatePlanFees({ adminId: 7, code: 'nope', feeBps: 1, feeFixedMinor: 0n }))

    const moved = await assignPlan({ adminId: 7, ip: '127.0.0.1', tenantId: shop.id, code: 'pro' })
    assert.deepEqual(moved, { ok: true, from: 'standard', to: 'pro' })
    assert.equal(await fee(), 100n)
    assert.deepEqual(await assignPlan({ adminId: 7, tenantId: shop.id, code: 'gold' }), {
      ok: false,
      reason: 'no_plan',
    })

    const platform = await platformAuditActions()
    const changed = platform.find((r) => r.action === 'plan.fee_changed')
    assert.deepInclude(changed!.metadata, { fromBps: 200, toBps: 350, toFixedMinor: '10' })
    const assigned = platform.find((r) => r.action === 'shop.plan_changed')
    assert.deepInclude(assigned!.metadata, { from: 'standard', to: 'pro' })
    const shopAudit = await auditOf(shop)
    assert.include(
      shopAudit.map((r) => r.action),
      'shop.plan_changed'
    )
  })
})
