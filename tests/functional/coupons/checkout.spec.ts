import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { withTenant } from '#tenancy'
import { CouponError, createOrder, DeliveryError, expireReservations } from '#delivery'
import { createShop, resetState } from '#tests/functional/merchant/_fixtures'
import {
  addItems,
  backdateReservations,
  footprint,
  itemCounts,
  productOf,
  rowsOf,
} from '#tests/functional/delivery/_fixtures'
import { buyerOf, checkoutWith, couponOf, couponOrders } from '#tests/functional/coupons/_fixtures'

const HOUR = 3_600_000

test.group('coupons / checkout', (group) => {
  group.each.setup(() => resetState())

  test('a coupon code (any case, trimmed) discounts the order; steps and columns record it', async ({
    assert,
  }) => {
    const shop = await createShop('cp-shop')
    const product = await productOf(shop, {
      priceMinor: 1_000n,
      wholesaleTiers: [{ minQuantity: 3, unitPriceMinor: 900n }],
    })
    await addItems(shop, product, 5)
    const coupon = await couponOf(shop, { code: 'SPRING-15', value: 15n })
    const created = await checkoutWith(shop, product, '  spring-15 ', { quantity: 3 })
    assert.notInstanceOf(created, Error)
    assert.equal(created.order.amountMinor, 2_295n, '2700 − ⌊2700 × 15%⌋ = 2700 − 405')
    assert.equal(created.order.discountMinor, 405n)
    assert.equal(created.order.couponId, coupon.id)
    assert.lengthOf(created.reservedItemIds, 3)

    const [order] = await rowsOf('orders', shop)
    assert.equal(String(order.amount_minor), '2295')
    assert.equal(String(order.discount_minor), '405')
    assert.equal(Number(order.coupon_id), coupon.id)
    const [line] = await rowsOf('order_lines', shop)
    assert.equal(String(line.amount_minor), '2700', 'the line keeps its list total')
    assert.equal(String(line.unit_price_minor), '900')
    const events = await rowsOf('order_events', shop)
    const createdEvent = events.find((e) => e.kind === 'created')
    assert.equal(createdEvent.data.amountMinor, '2295')
    assert.equal(createdEvent.data.subtotalMinor, '2700')
    assert.equal(createdEvent.data.discountMinor, '405')
    assert.deepEqual(
      createdEvent.data.steps.map((s: any) => s.step),
      ['base', 'wholesale', 'coupon']
    )
    assert.deepInclude(createdEvent.data.steps[2], {
      couponCode: 'SPRING-15',
      discountMinor: '405',
    })
  })

  test('a fixed coupon larger than the order leaves one minor unit to pay', async ({ assert }) => {
    const shop = await createShop('cp-shop')
    const product = await productOf(shop, { priceMinor: 500n })
    await addItems(shop, product, 1)
    await couponOf(shop, { code: 'BIG', kind: 'fixed', value: 100_000n })
    const created = await checkoutWith(shop, product, 'big')
    assert.equal(created.order.amountMinor, 1n)
    assert.equal(created.order.discountMinor, 499n)
  })

  test('each refusal has its own code and writes nothing', async ({ assert }) => {
    const shop = await createShop('cp-shop')
    const other = await createShop('cp-other')
    const product = await productOf(shop, { priceMinor: 1_000n })
    const second = await productOf(shop, { name: 'Other key' })
    await addItems(shop, product, 10)
    const now = Date.now()
    await couponOf(shop, { code: 'OFF', active: false })
    await couponOf(shop, { code: 'LATER', startsAt: new Date(now + HOUR) })
    await couponOf(shop, {
      code: 'GONE',
      startsAt: new Date(now - 2 * HOUR),
      endsAt: new Date(now - HOUR),
    })
    await couponOf(shop, { code: 'MIN', minAmountMinor: 5_000n })
    await couponOf(shop, { code: 'ONLY-OTHER', scope: 'product', productId: second.id })
    await couponOf(shop, { code: 'OTHER-CAT', scope: 'category', categoryId: second.categoryId })
    await couponOf(shop, { code: 'USD', kind: 'fixed', value: 100n, currency: 'USD' })
    await couponOf(other, { code: 'THEIRS' })
    // Used up: a limit of 1 held by one order; per contact: 1 held by this email.
    await couponOf(shop, { code: 'ONCE', totalLimit: 1 })
    await couponOf(shop, { code: 'MINE', perContactLimit: 1 })
    assert.notInstanceOf(
      await checkoutWith(shop, product, 'ONCE', { contactEmail: 'a@x.test' }),
      Error
    )
    assert.notInstanceOf(await checkoutWith(shop, product, 'MINE'), Error)

    const before = await footprint(shop)
    const items = await itemCounts(shop)
    const cases: Array<[string, string]> = [
      ['NOPE', 'E_COUPON_UNKNOWN'],
      ['THEIRS', 'E_COUPON_UNKNOWN'],
      ['bad code with spaces', 'E_COUPON_UNKNOWN'],
      ['x'.repeat(5_000), 'E_COUPON_UNKNOWN'],
      ['off', 'E_COUPON_INACTIVE'],
      ['LATER', 'E_COUPON_NOT_STARTED'],
      ['GONE', 'E_COUPON_EXPIRED'],
      ['ONCE', 'E_COUPON_EXHAUSTED'],
      ['MINE', 'E_COUPON_CONTACT_EXHAUSTED'],
      ['MIN', 'E_COUPON_BELOW_MINIMUM'],
      ['ONLY-OTHER', 'E_COUPON_NOT_APPLICABLE'],
      ['OTHER-CAT', 'E_COUPON_NOT_APPLICABLE'],
      ['USD', 'E_COUPON_NOT_APPLICABLE'],
    ]
    for (const [code, expected] of cases) {
      const error = await checkoutWith(shop, product, code, { contactEmail: 'BUYER@example.test' })
      assert.instanceOf(error, CouponError, code.slice(0, 20))
      assert.instanceOf(error, DeliveryError)
      assert.equal(error.code, expected, code.slice(0, 20))
    }
    const nonString = await checkoutWith(shop, product, { code: 'SAVE10' } as any)
    assert.equal(nonString.code, 'E_CHECKOUT_INVALID')
    assert.deepEqual(await footprint(shop), before)
    assert.deepEqual(await itemCounts(shop), items)

    // A blank code means no coupon.
    const blank = await checkoutWith(shop, product, '   ')
    assert.equal(blank.order.discountMinor, 0n)
    assert.isNull(blank.order.couponId)
  })

  test('20 concurrent checkouts for a coupon limited to 5: exactly 5 orders carry it', async ({
    assert,
  }) => {
    const shop = await createShop('cp-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 30)
    await couponOf(shop, { code: 'FIRST5', totalLimit: 5 })
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        checkoutWith(shop, product, 'FIRST5', { contactEmail: `b${i}@example.test` })
      )
    )
    const ok = results.filter((r) => !(r instanceof Error))
    const refused = results.filter((r) => r instanceof Error)
    assert.lengthOf(ok, 5)
    assert.lengthOf(refused, 15)
    for (const error of refused) assert.equal((error as DeliveryError).code, 'E_COUPON_EXHAUSTED')
    assert.lengthOf(await couponOrders(shop), 5)
    assert.lengthOf(await rowsOf('orders', shop), 5, 'no order written for the refused ones')
    const items = await itemCounts(shop)
    assert.equal(items.reserved, 5)
  })

  test('per-contact limit under concurrency: by email for guests, by buyer id when signed in', async ({
    assert,
  }) => {
    const shop = await createShop('cp-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 40)
    await couponOf(shop, { code: 'TWICE', perContactLimit: 2 })
    const buyerId = await buyerOf(shop, 'member@example.test')
    const results = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) =>
        checkoutWith(shop, product, 'TWICE', {
          contactEmail: i % 2 ? 'Guest@Example.test' : 'guest@example.TEST',
        })
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        checkoutWith(shop, product, 'TWICE', {
          buyerId,
          contactEmail: `alias${i}@example.test`,
        })
      ),
      checkoutWith(shop, product, 'TWICE', { contactEmail: 'someone@example.test' }),
    ])
    const ok = results.filter((r) => !(r instanceof Error))
    const refused = results.filter((r) => r instanceof Error)
    assert.lengthOf(ok, 5, 'two for the guest email, two for the buyer, one for someone else')
    for (const error of refused)
      assert.equal((error as DeliveryError).code, 'E_COUPON_CONTACT_EXHAUSTED')
    const orders = await couponOrders(shop)
    assert.lengthOf(orders, 5)
    assert.lengthOf(
      orders.filter((o) => Number(o.buyer_id) === buyerId),
      2
    )
    assert.lengthOf(
      orders.filter((o) => o.contact_email.toLowerCase() === 'guest@example.test'),
      2
    )
  })

  test('expired, cancelled and mismatched orders give their use back', async ({ assert }) => {
    const shop = await createShop('cp-shop')
    const product = await productOf(shop)
    await addItems(shop, product, 5)
    await couponOf(shop, { code: 'ONE', totalLimit: 1, perContactLimit: 1 })
    const first = await checkoutWith(shop, product, 'ONE')
    assert.equal(first.order.couponId !== null, true)
    const blocked = await checkoutWith(shop, product, 'ONE', { contactEmail: 'b@example.test' })
    assert.equal(blocked.code, 'E_COUPON_EXHAUSTED')

    await backdateReservations(shop)
    const expired = await withTenant((trx) => expireReservations(trx, shop.id), shop.toRef())
    assert.lengthOf(expired, 1)
    const again = await checkoutWith(shop, product, 'ONE')
    assert.notInstanceOf(again, Error, 'the same contact may use it again')

    for (const status of ['cancelled', 'payment_mismatch']) {
      await db
        .connection('platform')
        .rawQuery(`UPDATE orders SET status = ? WHERE tenant_id = ? AND status = 'pending'`, [
          status,
          shop.id,
        ])
      assert.notInstanceOf(await checkoutWith(shop, product, 'ONE'), Error, status)
    }
    assert.lengthOf(await couponOrders(shop), 4)
  })

  test('a discount sent by the client is refused; the minimum uses the server price', async ({
    assert,
  }) => {
    const shop = await createShop('cp-shop')
    const product = await productOf(shop, { priceMinor: 1_000n })
    await addItems(shop, product, 2)
    await couponOf(shop, { code: 'MIN15', minAmountMinor: 1_500n })
    const tampered = await createOrder({
      tenant: shop.toRef(),
      productId: product.id,
      quantity: 2,
      contactEmail: 'x@example.test',
      couponCode: 'MIN15',
      discountMinor: 1_999n,
    } as any).catch((e) => e)
    assert.equal(tampered.code, 'E_CHECKOUT_INVALID')
    const below = await checkoutWith(shop, product, 'MIN15')
    assert.equal(below.code, 'E_COUPON_BELOW_MINIMUM')
    const ok = await checkoutWith(shop, product, 'MIN15', { quantity: 2 })
    assert.equal(ok.order.amountMinor, 1_800n)
  })
})
