import { test } from '@japa/runner'
import logger from '@adonisjs/core/services/logger'
import mail from '@adonisjs/mail/services/main'
import { withPlatform, withTenant } from '#tenancy'
import {
  DeliveryMailJob,
  expireReservations,
  ExpireReservationsJob,
  ReservationScanJob,
} from '#delivery'
import { createShop, resetState } from '#tests/functional/merchant/_fixtures'
import {
  addItems,
  backdateReservations,
  itemCounts,
  order,
  pay,
  productOf,
  rowsOf,
} from '#tests/functional/delivery/_fixtures'

async function until(check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

test.group('delivery / reservation expiry and after-payment jobs', (group) => {
  group.each.setup(async () => {
    await resetState()
    mail.fake()
    return () => mail.restore()
  })

  test('expiry releases only due pending orders, once', async ({ assert }) => {
    const shop = await createShop('exp-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 5)
    await order(shop, product, 2)
    await backdateReservations(shop)
    const fresh = await order(shop, product, 1)
    const expire = () => withTenant((trx) => expireReservations(trx, shop.id), shop.toRef())
    const first = await expire()
    assert.lengthOf(first, 1)
    assert.equal(first[0].released, 2)
    assert.lengthOf(await expire(), 0, 'idempotent')
    assert.deepEqual(await itemCounts(shop), { available: 4, reserved: 1, sold: 0, void: 0 })
    const stored = await rowsOf('orders', shop)
    assert.deepEqual(
      stored.map((o) => [Number(o.id), o.status]),
      [
        [first[0].orderId, 'expired'],
        [fresh.order.id, 'pending'],
      ]
    )
  })

  test('the scan job finds shops with due reservations and the shop job expires them', async ({
    assert,
  }) => {
    const { registry, schedules } = await import('#jobs/registry')
    assert.isTrue(registry.has(ReservationScanJob) && registry.has(ExpireReservationsJob))
    assert.isTrue(schedules.some((s) => s.job === ReservationScanJob))

    const shop = await createShop('exp-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 3)
    await order(shop, product, 3)
    await backdateReservations(shop)
    await new ReservationScanJob().handle(
      {},
      {
        job: {
          id: 't',
          name: ReservationScanJob.jobName,
          queue: 'default',
          attempt: 1,
          attempts: 1,
        },
        logger,
        withPlatform: (reason, fn) => withPlatform({ actorType: 'job', reason }, fn),
      }
    )
    const released = await until(async () => {
      const counts = await itemCounts(shop)
      return counts.available === 3
    })
    assert.isTrue(released, 'the dispatched shop job released the stock')
    const [o] = await rowsOf('orders', shop)
    assert.equal(o.status, 'expired')
  })

  test('after payment the delivery mail is sent once, without secrets', async ({ assert }) => {
    const { mails } = mail.fake()
    const shop = await createShop('exp-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 1)
    const created = await order(shop, product, 1)
    await pay(shop, created.order.orderNo, 1_000n)
    const mailed = await until(async () => {
      const events = await rowsOf('order_events', shop).where('kind', 'mailed')
      return events.length === 1
    })
    assert.isTrue(mailed)
    const sent = mails.sent()
    assert.lengthOf(sent, 1)
    await sent[0].message.computeContents()
    const text = String(sent[0].message.toJSON().message.text ?? '')
    assert.include(text, created.order.orderNo)
    assert.notInclude(text, 'KEY-')
    assert.notInclude(text, created.publicToken)
    // a re-run changes nothing
    await new DeliveryMailJob().handle(
      { tenantId: shop.id, orderId: created.order.id },
      {
        tenant: shop.toRef(),
        job: { id: 't', name: DeliveryMailJob.jobName, queue: 'default', attempt: 2, attempts: 5 },
        logger,
      }
    )
    assert.lengthOf(mails.sent(), 1)
  })
})
