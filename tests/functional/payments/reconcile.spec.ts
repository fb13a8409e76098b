import { test } from '@japa/runner'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { randomBytes } from 'node:crypto'
import type Tenant from '#models/tenant'
import { withPlatform } from '#tenancy'
import { reconcileShop, findShopsWithOpenAttempts, RECONCILE } from '#payments/reconcile'
import { PaymentReconcileScanJob, ReconcileShopPaymentsJob } from '#payments/jobs'
import {
  pendingOrder,
  platformRows,
  shopWithGateway,
  startAttempt,
  startedOrder,
  withTestGateway,
} from '#tests/functional/payments/_fixtures'

const slug = () => `rec-${randomBytes(4).toString('hex')}`

/** Move a shop's attempts `minutes` into the past (their callback window has passed). */
async function age(shop: Tenant, minutes: number) {
  await db
    .connection('platform')
    .rawQuery(
      `UPDATE payment_attempts SET created_at = created_at - make_interval(mins => ?) WHERE tenant_id = ?`,
      [minutes, shop.id]
    )
}

async function statuses(shop: Tenant, table: string) {
  const rows = await platformRows(table, shop)
  return rows.map((r: any) => r.status as string)
}

test.group('payments / reconciliation', (group) => {
  const fx = withTestGateway(group)

  test('a paid attempt whose callback was lost is confirmed once, through the pipeline', async ({
    assert,
  }) => {
    const { shop, attempt } = await startedOrder(slug(), fx.endpoint)
    fx.gateway.markPaid(attempt.provider_ref)

    // Inside the callback window: not asked yet.
    assert.deepEqual(await reconcileShop(shop.toRef()), [])
    await age(shop, 6)
    const [a, b] = await Promise.all([reconcileShop(shop.toRef()), reconcileShop(shop.toRef())])
    const reports = [...a, ...b]
    assert.lengthOf(reports, 1, 'SKIP LOCKED: one worker claims the attempt')
    assert.equal(reports[0].outcome, 'confirmed')
    assert.deepEqual(await statuses(shop, 'orders'), ['delivered'])
    assert.deepEqual(await statuses(shop, 'payment_attempts'), ['succeeded'])
    assert.lengthOf(await platformRows('payments', shop), 1)
    const [trail] = await platformRows('payment_callbacks', shop)
    assert.equal(trail.method, 'QUERY')
    assert.equal(trail.outcome, 'accepted')
    assert.deepEqual(await reconcileShop(shop.toRef()), [])
  })

  test('a mismatch found by the query is not delivered and lands on the alert list', async ({
    assert,
  }) => {
    const { shop, attempt } = await startedOrder(slug(), fx.endpoint)
    fx.gateway.markPaid(attempt.provider_ref, 'TXN-M1', '1.00')
    await age(shop, 10)
    const [report] = await reconcileShop(shop.toRef())
    assert.deepEqual(report, {
      attemptId: Number(attempt.id),
      outcome: 'alerted',
      detail: 'amount_mismatch',
    })
    assert.deepEqual(await statuses(shop, 'orders'), ['payment_mismatch'])
    assert.lengthOf(await platformRows('deliveries', shop), 0)
    const [alert] = await platformRows('payment_alerts', shop)
    assert.equal(alert.kind, 'amount_mismatch')
    assert.equal(alert.data.reportedMinor, '100')
    assert.equal(alert.data.source, 'query')
  })

  test('query failures back off and alert the admins once; failed and expired attempts close', async ({
    assert,
  }) => {
    const { shop } = await shopWithGateway(slug(), fx.endpoint)
    const first = await pendingOrder(shop)
    await startAttempt(shop, first.order.id)
    await age(shop, 10)
    fx.gateway.setDown(true)
    let now = new Date()
    const outcomes: string[] = []
    for (let i = 0; i < RECONCILE.maxFailures + 1; i++) {
      const reports = await reconcileShop(shop.toRef(), now)
      outcomes.push(...reports.map((r) => r.outcome))
      // Backoff: asking again right away claims nothing.
      assert.deepEqual(await reconcileShop(shop.toRef(), now), [])
      now = new Date(now.getTime() + 65 * 60_000)
    }
    assert.deepEqual(outcomes, Array(RECONCILE.maxFailures + 1).fill('query_failed'))
    const alerts = await platformRows('payment_alerts', shop)
    assert.deepEqual(
      alerts.map((a: any) => a.kind),
      ['query_failed']
    )

    // The gateway is back and says the payment failed: the attempt closes.
    fx.gateway.setDown(false)
    const [attempt] = await platformRows('payment_attempts', shop)
    fx.gateway.payments.get(attempt.provider_ref)!.status = 'failed'
    const [failed] = await reconcileShop(shop.toRef(), now)
    assert.equal(failed.outcome, 'failed')

    // Still pending at the gateway past its expiry → expired; past the horizon → expired.
    const second = await pendingOrder(shop)
    await startAttempt(shop, second.order.id)
    await db.connection('platform').rawQuery(
      `UPDATE payment_attempts SET created_at = now() - interval '10 minutes',
           expires_at = now() - interval '1 minute' WHERE tenant_id = ? AND order_id = ?`,
      [shop.id, second.order.id]
    )
    const [expired] = await reconcileShop(shop.toRef())
    assert.equal(expired.outcome, 'expired')
    const third = await pendingOrder(shop)
    await startAttempt(shop, third.order.id)
    await age(shop, 49 * 60)
    assert.deepEqual(await reconcileShop(shop.toRef()), [])
    assert.deepEqual(await statuses(shop, 'payment_attempts'), ['failed', 'expired', 'expired'])
  })

  test('the scheduled scan queues one job per shop with due attempts', async ({ assert }) => {
    const { registry, schedules } = await import('#jobs/registry')
    assert.isTrue(registry.has(PaymentReconcileScanJob) && registry.has(ReconcileShopPaymentsJob))
    assert.isTrue(schedules.some((s) => s.job === PaymentReconcileScanJob))

    const { shop } = await shopWithGateway(slug(), fx.endpoint)
    const { shop: quiet } = await shopWithGateway(slug(), fx.endpoint)
    const { order } = await pendingOrder(shop)
    await startAttempt(shop, order.id)
    const recent = await pendingOrder(quiet)
    await startAttempt(quiet, recent.order.id)
    const [attempt] = await platformRows('payment_attempts', shop)
    fx.gateway.markPaid(attempt.provider_ref)
    await age(shop, 7)
    const ids = await withPlatform({ actorType: 'job', reason: 'test scan' }, (trx) =>
      findShopsWithOpenAttempts(trx)
    )
    assert.deepEqual(ids, [shop.id])

    await new PaymentReconcileScanJob().handle(
      {},
      {
        job: {
          id: 'test',
          name: PaymentReconcileScanJob.jobName,
          queue: 'default',
          attempt: 1,
          attempts: 1,
        },
        logger,
        withPlatform: (reason, fn) => withPlatform({ actorType: 'job', reason }, fn),
      }
    )
    const deadline = Date.now() + 10_000
    let done = await statuses(shop, 'orders')
    while (done[0] !== 'delivered' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      done = await statuses(shop, 'orders')
    }
    assert.deepEqual(done, ['delivered'])
    assert.deepEqual(await statuses(quiet, 'orders'), ['pending'])
  })
})
